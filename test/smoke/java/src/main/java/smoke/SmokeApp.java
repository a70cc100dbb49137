package smoke;

import io.github.cdkpersonalize.AutoTraining;
import io.github.cdkpersonalize.BatchSegmentJob;
import io.github.cdkpersonalize.BatchSegmentJobProps;
import io.github.cdkpersonalize.DatasetGroup;
import io.github.cdkpersonalize.DatasetGroupProps;
import io.github.cdkpersonalize.DatasetOptions;
import io.github.cdkpersonalize.DatasetType;
import io.github.cdkpersonalize.Domain;
import io.github.cdkpersonalize.Recipe;
import io.github.cdkpersonalize.Schema;
import io.github.cdkpersonalize.SchemaDefinition;
import io.github.cdkpersonalize.SchemaField;
import io.github.cdkpersonalize.SchemaProps;
import io.github.cdkpersonalize.Solution;
import io.github.cdkpersonalize.SolutionProps;
import io.github.cdkpersonalize.SolutionVersion;
import io.github.cdkpersonalize.SolutionVersionProps;
import io.github.cdkpersonalize.rekognition.DatasetSource;
import io.github.cdkpersonalize.rekognition.ManifestObjectOptions;
import io.github.cdkpersonalize.rekognition.Project;
import io.github.cdkpersonalize.rekognition.ProjectProps;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.kms.KeyProps;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketProps;
import software.amazon.awscdk.services.s3.IBucket;

/** Synthesizes a stack with the built jar and checks its template; exits non-zero on the first failed check. */
public final class SmokeApp {
  private static final List<String> CHECKS = new ArrayList<>();

  private static void check(String name, Runnable assertion) {
    assertion.run();
    CHECKS.add(name);
    System.out.println("  ok   " + name);
  }

  public static void main(String[] args) throws Exception {
    App app = new App(AppProps.builder().outdir(Files.createTempDirectory("cdk-personalize-smoke-").toString()).build());
    Stack stack = new Stack(app, "JavaSmoke", StackProps.builder()
        .env(Environment.builder().account("123456789012").region("us-east-1").build())
        .build());
    Key key = new Key(stack, "DatasetKey", KeyProps.builder().enableKeyRotation(true).build());
    DatasetGroup group = new DatasetGroup(stack, "Retail", DatasetGroupProps.builder()
        .domain(Domain.ECOMMERCE)
        .kmsKey(key)
        .build());
    Tags.of(group).add("team", "recommendations");
    IRole importedRole = Role.fromRoleArn(stack, "KeyRole", "arn:aws:iam::123456789012:role/PersonalizeKeyAccess");
    new DatasetGroup(stack, "Named", DatasetGroupProps.builder()
        .datasetGroupName("java-smoke")
        .kmsKey(key)
        .role(importedRole)
        .build());
    Schema interactions = new Schema(stack, "InteractionsSchema", SchemaProps.builder()
        .domain(Domain.ECOMMERCE)
        .definition(SchemaDefinition.fromFields(List.of(
            SchemaField.stringField("USER_ID"),
            SchemaField.stringField("ITEM_ID"),
            SchemaField.longField("TIMESTAMP"),
            SchemaField.stringField("EVENT_TYPE"),
            SchemaField.floatField("EVENT_VALUE").nullable())))
        .build());
    group.addDataset("Interactions", DatasetOptions.builder().datasetType(DatasetType.INTERACTIONS).schema(interactions).build());

    // User segments once on deploy, from a trained Item-Affinity version, into a bucket of the stack.
    Solution affinity = new Solution(stack, "Affinity", SolutionProps.builder()
        .datasetGroup(group).recipe(Recipe.ITEM_AFFINITY).autoTraining(AutoTraining.off()).build());
    Bucket segments = new Bucket(stack, "Segments", BucketProps.builder().enforceSsl(true).build());
    new BatchSegmentJob(stack, "Audiences", BatchSegmentJobProps.builder()
        .solutionVersion(new SolutionVersion(stack, "AffinityTrained", SolutionVersionProps.builder().solution(affinity).build()))
        .inputBucket(segments).inputKey("queries/").outputBucket(segments).outputPrefix("audiences/")
        .numResults(100000)
        .build());

    // Rekognition Custom Labels: a project with a TRAIN dataset from a manifest in S3 and a TEST dataset copied from it.
    Project shoes = new Project(stack, "Shoes", ProjectProps.builder().projectName("java-smoke-shoes").build());
    IBucket labels = Bucket.fromBucketName(stack, "Labels", "smoke-labels");
    io.github.cdkpersonalize.rekognition.Dataset train = new io.github.cdkpersonalize.rekognition.Dataset(stack, "Train",
        io.github.cdkpersonalize.rekognition.DatasetProps.builder()
            .project(shoes)
            .datasetType(io.github.cdkpersonalize.rekognition.DatasetType.TRAIN)
            .source(DatasetSource.fromManifestObject(labels, "shoes/train.manifest", ManifestObjectOptions.builder().version("v1").imagePrefix("shoes/images/").build()))
            .build());
    new io.github.cdkpersonalize.rekognition.Dataset(stack, "Test", io.github.cdkpersonalize.rekognition.DatasetProps.builder()
        .project(shoes)
        .datasetType(io.github.cdkpersonalize.rekognition.DatasetType.TEST)
        .source(DatasetSource.fromDataset(train))
        .build());

    Template template = Template.fromStack(stack);

    check("the encrypted group passes its key, created role and tags to the custom resource", () ->
        template.hasResourceProperties("Custom::PersonalizeDatasetGroup", Map.of(
            "Domain", "ECOMMERCE",
            "KmsKeyArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^DatasetKey"), "Arn")),
            "RoleArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^RetailServiceRole"), "Arn")),
            "Tags", List.of(Map.of("Key", "team", "Value", "recommendations")))));
    check("an explicit name and an imported role reach the custom resource", () ->
        template.hasResourceProperties("Custom::PersonalizeDatasetGroup", Map.of(
            "Name", "java-smoke",
            "RoleArn", "arn:aws:iam::123456789012:role/PersonalizeKeyAccess")));
    check("the field builder renders the Avro schema with its domain", () ->
        template.hasResourceProperties("Custom::PersonalizeSchema", Map.of(
            "Domain", "ECOMMERCE",
            "Definition", Match.stringLikeRegexp("\"name\":\"EVENT_VALUE\",\"type\":\\[\"null\",\"float\"\\]"))));
    check("the dataset joins the group with its schema", () ->
        template.hasResourceProperties("Custom::PersonalizeDataset", Map.of(
            "DatasetType", "Interactions",
            "DatasetGroupArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Retail"), "Arn")),
            "SchemaArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^InteractionsSchema"), "Arn")))));
    check("a batch segment job runs the Item-Affinity version on the query prefix", () ->
        template.hasResourceProperties("Custom::PersonalizeBatchSegmentJob", Map.of("NumResults", "100000", "Wait", "active")));
    check("one provider serves every resource", () ->
        template.resourcePropertiesCountIs("AWS::Lambda::Function", Map.of("Handler", "index.onEvent"), 1));
    check("the handler functions ship from the jar's bundled asset", () ->
        template.resourcePropertiesCountIs("AWS::Lambda::Function",
            Map.of("Handler", Match.stringLikeRegexp("^index\\."), "Runtime", "nodejs24.x"), 3));
    check("iam:PassRole is granted only to Personalize", () ->
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
            "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                "Action", "iam:PassRole",
                "Condition", Map.of("StringEquals", Map.of("iam:PassedToService", "personalize.amazonaws.com"))))))))));
    check("the Custom Labels TRAIN dataset gets its project and manifest object", () ->
        template.hasResourceProperties("Custom::RekognitionDataset", Map.of(
            "ProjectName", "java-smoke-shoes",
            "ProjectArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Shoes"), "Arn")),
            "DatasetType", "TRAIN",
            "ManifestBucket", "smoke-labels",
            "ManifestKey", "shoes/train.manifest",
            "ManifestVersion", "v1")));
    check("the TEST dataset is a copy of TRAIN", () ->
        template.hasResourceProperties("Custom::RekognitionDataset", Map.of(
            "DatasetType", "TEST",
            "SourceDatasetArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Train"), "Arn")))));
    check("a second TRAIN dataset in a project fails in Java with the library's message", () -> {
      Stack scratch = new Stack(new App(), "Scratch");
      Project project = new Project(scratch, "Shoes");
      new io.github.cdkpersonalize.rekognition.Dataset(scratch, "Train", io.github.cdkpersonalize.rekognition.DatasetProps.builder()
          .project(project).datasetType(io.github.cdkpersonalize.rekognition.DatasetType.TRAIN).build());
      try {
        new io.github.cdkpersonalize.rekognition.Dataset(scratch, "AnotherTrain", io.github.cdkpersonalize.rekognition.DatasetProps.builder()
            .project(project).datasetType(io.github.cdkpersonalize.rekognition.DatasetType.TRAIN).build());
      } catch (RuntimeException error) {
        if (error.getMessage().contains("already has a TRAIN dataset")) {
          return;
        }
        throw error;
      }
      throw new AssertionError("a second TRAIN dataset was accepted");
    });
    check("an invalid name fails in Java with the library's message", () -> {
      try {
        new DatasetGroup(new Stack(new App(), "Scratch"), "Bad", DatasetGroupProps.builder().datasetGroupName("not a valid name").build());
      } catch (RuntimeException error) {
        if (error.getMessage().contains("Invalid datasetGroupName") && error.getMessage().contains("not a valid name")) {
          return;
        }
        throw error;
      }
      throw new AssertionError("an invalid datasetGroupName was accepted");
    });

    app.synth();
    System.out.println("java smoke: " + CHECKS.size() + " checks passed");
  }
}
