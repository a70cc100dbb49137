"""Smoke test of the Python package: synthesize a stack with the built wheel and check its template.

Run by `.ci/ecosystem.sh python` in a fresh venv holding only the wheel and the
minimum aws-cdk-lib and constructs versions the library supports.
"""
import tempfile

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk.assertions import Match, Template

import cdk_personalize as personalize
from cdk_personalize import rekognition

checks = []


def check(name, assertion):
    assertion()
    checks.append(name)
    print(f"  ok   {name}")


app = cdk.App(outdir=tempfile.mkdtemp(prefix="cdk-personalize-smoke-"))
stack = cdk.Stack(app, "PythonSmoke", env=cdk.Environment(account="123456789012", region="us-east-1"))
key = kms.Key(stack, "DatasetKey", enable_key_rotation=True)
group = personalize.DatasetGroup(stack, "Retail", domain=personalize.Domain.ECOMMERCE, kms_key=key)
cdk.Tags.of(group).add("team", "recommendations")
imported_role = iam.Role.from_role_arn(stack, "KeyRole", "arn:aws:iam::123456789012:role/PersonalizeKeyAccess")
personalize.DatasetGroup(stack, "Named", dataset_group_name="python-smoke", kms_key=key, role=imported_role)
interactions = personalize.Schema(stack, "InteractionsSchema", domain=personalize.Domain.ECOMMERCE,
                                  definition=personalize.SchemaDefinition.from_fields([
                                      personalize.SchemaField.string_field("USER_ID"),
                                      personalize.SchemaField.string_field("ITEM_ID"),
                                      personalize.SchemaField.long_field("TIMESTAMP"),
                                      personalize.SchemaField.string_field("EVENT_TYPE"),
                                      personalize.SchemaField.float_field("EVENT_VALUE").nullable(),
                                  ]))
group.add_dataset("Interactions", dataset_type=personalize.DatasetType.INTERACTIONS, schema=interactions)

# Batch recommendations every night into a bucket of the stack, on a trained version.
solution = personalize.Solution(stack, "Recs", dataset_group=group, recipe=personalize.Recipe.USER_PERSONALIZATION_V2,
                                auto_training=personalize.AutoTraining.off())
batch = s3.Bucket(stack, "Batch", enforce_ssl=True)
personalize.BatchInferenceJob(stack, "Nightly", solution_version=personalize.SolutionVersion(stack, "Trained", solution=solution),
                              input_bucket=batch, input_key="users.jsonl", output_bucket=batch, output_prefix="out/",
                              wait=personalize.BatchJobWait.start_only(),
                              recurring_runs=personalize.RecurringRuns(schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0")))

# Rekognition Custom Labels: a project with a TRAIN dataset from a manifest in S3 and a TEST dataset copied from it.
shoes = rekognition.Project(stack, "Shoes", project_name="python-smoke-shoes")
labels = s3.Bucket.from_bucket_name(stack, "Labels", "smoke-labels")
train = rekognition.Dataset(stack, "Train", project=shoes, dataset_type=rekognition.DatasetType.TRAIN,
                            source=rekognition.DatasetSource.from_manifest_object(labels, "shoes/train.manifest", version="v1", image_prefix="shoes/images/"))
rekognition.Dataset(stack, "Test", project=shoes, dataset_type=rekognition.DatasetType.TEST,
                    source=rekognition.DatasetSource.from_dataset(train))

template = Template.from_stack(stack)

check("the encrypted group passes its key, created role and tags to the custom resource", lambda: template.has_resource_properties(
    "Custom::PersonalizeDatasetGroup", {
        "Domain": "ECOMMERCE",
        "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("^DatasetKey"), "Arn"]},
        "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("^RetailServiceRole"), "Arn"]},
        "Tags": [{"Key": "team", "Value": "recommendations"}],
    }))
check("an explicit name and an imported role reach the custom resource", lambda: template.has_resource_properties(
    "Custom::PersonalizeDatasetGroup", {"Name": "python-smoke", "RoleArn": "arn:aws:iam::123456789012:role/PersonalizeKeyAccess"}))
check("the field builder renders the Avro schema with its domain", lambda: template.has_resource_properties(
    "Custom::PersonalizeSchema", {
        "Domain": "ECOMMERCE",
        "Definition": Match.string_like_regexp(r'"name":"EVENT_VALUE","type":\["null","float"\]'),
    }))
check("the dataset joins the group with its schema", lambda: template.has_resource_properties(
    "Custom::PersonalizeDataset", {
        "DatasetType": "Interactions",
        "DatasetGroupArn": {"Fn::GetAtt": [Match.string_like_regexp("^Retail"), "Arn"]},
        "SchemaArn": {"Fn::GetAtt": [Match.string_like_regexp("^InteractionsSchema"), "Arn"]},
    }))
check("a nightly batch inference job runs on deploy and on a schedule that calls Personalize itself", lambda: (
    template.has_resource_properties("Custom::PersonalizeBatchInferenceJob", {"Wait": "started", "NumResults": Match.absent()}),
    template.has_resource_properties("AWS::Scheduler::Schedule", {
        "ScheduleExpression": "cron(0 2 * * ? *)",
        "Target": Match.object_like({"RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 3600}}),
    }),
))
check("one provider serves every resource", lambda: template.resource_properties_count_is(
    "AWS::Lambda::Function", {"Handler": "index.onEvent"}, 1))
# onEvent, isComplete, and the long wait's function (the batch job's wait).
check("the handler functions ship from the wheel's bundled asset", lambda: template.resource_properties_count_is(
    "AWS::Lambda::Function", {"Handler": Match.string_like_regexp(r"^index\."), "Runtime": "nodejs24.x"}, 3))
check("grants are confined to Personalize", lambda: template.has_resource_properties("AWS::IAM::Policy", {
    "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
        "Action": "iam:PassRole",
        "Condition": {"StringEquals": {"iam:PassedToService": "personalize.amazonaws.com"}},
    })])},
}))
check("the Custom Labels TRAIN dataset gets its project and manifest object", lambda: template.has_resource_properties(
    "Custom::RekognitionDataset", {
        "ProjectName": "python-smoke-shoes",
        "ProjectArn": {"Fn::GetAtt": [Match.string_like_regexp("^Shoes"), "Arn"]},
        "DatasetType": "TRAIN",
        "ManifestBucket": "smoke-labels",
        "ManifestKey": "shoes/train.manifest",
        "ManifestVersion": "v1",
    }))
check("the TEST dataset is a copy of TRAIN", lambda: template.has_resource_properties(
    "Custom::RekognitionDataset", {"DatasetType": "TEST", "SourceDatasetArn": {"Fn::GetAtt": [Match.string_like_regexp("^Train"), "Arn"]}}))


def second_train_dataset_is_rejected():
    scratch = cdk.Stack(cdk.App(), "Scratch")
    project = rekognition.Project(scratch, "Shoes")
    rekognition.Dataset(scratch, "Train", project=project, dataset_type=rekognition.DatasetType.TRAIN)
    try:
        rekognition.Dataset(scratch, "AnotherTrain", project=project, dataset_type=rekognition.DatasetType.TRAIN)
    except Exception as error:
        assert "already has a TRAIN dataset" in str(error), str(error)
        return
    raise AssertionError("a second TRAIN dataset was accepted")


check("a second TRAIN dataset in a project fails in Python with the library's message", second_train_dataset_is_rejected)


def invalid_name_is_rejected_with_the_property_named():
    try:
        personalize.DatasetGroup(cdk.Stack(cdk.App(), "Scratch"), "Bad", dataset_group_name="not a valid name")
    except Exception as error:  # jsii raises the library's error as a Python exception
        assert "Invalid datasetGroupName" in str(error) and "not a valid name" in str(error), str(error)
        return
    raise AssertionError("an invalid datasetGroupName was accepted")


check("an invalid name fails in Python with the library's message", invalid_name_is_rejected_with_the_property_named)


def schema_definition_given_as_schema_is_rejected():
    scratch = cdk.Stack(cdk.App(), "Scratch")
    scratch_group = personalize.DatasetGroup(scratch, "Group")
    definition = personalize.SchemaDefinition.from_fields([
        personalize.SchemaField.string_field("USER_ID"), personalize.SchemaField.int_field("AGE")])
    try:
        # A SchemaDefinition where a Schema belongs: Python without a type checker passes it on.
        scratch_group.add_dataset("Users", dataset_type=personalize.DatasetType.USERS, schema=definition)
    except Exception as error:
        assert "Invalid schema" in str(error) and "Expected ISchema" in str(error), str(error)
        return
    raise AssertionError("a SchemaDefinition given as schema was accepted")


check("a SchemaDefinition given as schema fails in Python, naming the prop and the expected type", schema_definition_given_as_schema_is_rejected)

app.synth()
print(f"python smoke: {len(checks)} checks passed")
