"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// lambda/index.ts
var index_exports = {};
__export(index_exports, {
  DEFAULT_WAIT_POLICY: () => DEFAULT_WAIT_POLICY,
  createHandlers: () => createHandlers,
  isComplete: () => isComplete,
  onEvent: () => onEvent
});
module.exports = __toCommonJS(index_exports);

// lambda/clock.ts
var systemClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random()
};

// lambda/log.ts
function log(level, message, fields = {}) {
  if (process.env.CDK_PERSONALIZE_SILENT === "true") return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

// lambda/retry.ts
var THROTTLING_ERRORS = /* @__PURE__ */ new Set(["LimitExceededException", "ThrottlingException", "TooManyRequestsException"]);
var NETWORK_ERROR_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED"]);
var DEFAULT_RETRY_POLICY = { maxAttempts: 10, baseDelayMs: 250, maxDelayMs: 1e4 };
function errorName(error) {
  const e = error;
  return e?.name ?? e?.code ?? "Error";
}
function isErrorNamed(error, name) {
  return errorName(error) === name;
}
function isTransient(error) {
  const e = error;
  if (!e) return false;
  if (THROTTLING_ERRORS.has(errorName(e))) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== void 0 && status >= 500) return true;
  if (e.code && NETWORK_ERROR_CODES.has(e.code)) return true;
  if (e.name === "TimeoutError" || e.name === "RequestTimeout") return true;
  return e.$retryable !== void 0;
}
async function withRetries(operation, clock, attempt, policy = DEFAULT_RETRY_POLICY) {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || attemptNumber >= policy.maxAttempts) {
        if (isTransient(error)) {
          throw new Error(`${operation} still failed after ${attemptNumber} attempts: ${describeError(error)}. If this is LimitExceededException, the account may have reached a Personalize quota rather than a request rate.`);
        }
        throw error;
      }
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      const delayMs = Math.round(clock.random() * ceiling);
      log("warn", "transient error, retrying", { operation, error: errorName(error), attempt: attemptNumber, delayMs });
      await clock.sleep(delayMs);
    }
  }
}
function describeError(error) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode;
  return `${errorName(error)}${status ? ` (HTTP ${status})` : ""}: ${e?.message ?? String(error)}`;
}

// lambda/engine.ts
var STATUS_OUTCOMES = {
  "ACTIVE": "done",
  "CREATE PENDING": "wait",
  "CREATE IN_PROGRESS": "wait",
  "CREATE FAILED": "fail",
  "UPDATE PENDING": "wait",
  "UPDATE IN_PROGRESS": "wait",
  "UPDATE FAILED": "fail",
  "DELETE PENDING": "wait",
  "DELETE IN_PROGRESS": "wait"
};
var DELETING_STATUSES = /* @__PURE__ */ new Set(["DELETE PENDING", "DELETE IN_PROGRESS"]);
function outcomeOf(status) {
  if (DELETING_STATUSES.has(status)) return "fail";
  return STATUS_OUTCOMES[status] ?? "fail";
}
var DEFAULT_WAIT_POLICY = {
  minDelayMs: 1e3,
  delayFraction: 0.04,
  maxDelayMs: 15e3,
  onEventWindowMs: 12e4,
  isCompleteWindowMs: 6e4,
  totalTimeoutMs: 30 * 6e4
};
function pollDelayMs(policy, elapsedMs) {
  return Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, Math.round(elapsedMs * policy.delayFraction)));
}
var LifecycleEngine = class {
  kinds = /* @__PURE__ */ new Map();
  clock;
  waitPolicy;
  retryPolicy;
  constructor(options) {
    for (const kind of options.kinds) this.kinds.set(kind.resourceType, kind);
    this.clock = options.clock;
    this.waitPolicy = options.waitPolicy ?? DEFAULT_WAIT_POLICY;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  }
  async onEvent(event) {
    const kind = this.kindFor(event);
    const context = this.contextFor(event);
    const startedAt = this.clock.now();
    log("info", "onEvent", { requestType: event.RequestType, resourceType: event.ResourceType, logicalId: event.LogicalResourceId });
    switch (event.RequestType) {
      case "Create": {
        const arn = await this.createOrAdopt(kind, context, kind.parse(event.ResourceProperties));
        return this.waitThenHandOver(kind, context, arn, "create", startedAt);
      }
      case "Update":
        return this.update(kind, context, event, startedAt);
      case "Delete": {
        const physicalId = event.PhysicalResourceId ?? "";
        if (!kind.isOwnPhysicalId(physicalId)) {
          log("info", "nothing to delete: the physical ID is not an ARN this handler created", { logicalId: event.LogicalResourceId });
          return { PhysicalResourceId: physicalId, Lifecycle: { operation: "delete", startedAt, settled: true } };
        }
        const gone = await this.startDelete(kind, context, physicalId);
        if (gone) return { PhysicalResourceId: physicalId, Lifecycle: { operation: "delete", startedAt, settled: true } };
        return this.waitThenHandOver(kind, context, physicalId, "delete", startedAt);
      }
      default:
        throw new Error(`Unknown RequestType '${event.RequestType}'`);
    }
  }
  async isComplete(event) {
    const handoff = event.Lifecycle ?? { operation: operationOf(event), startedAt: this.clock.now(), settled: false };
    if (handoff.settled) return { IsComplete: true };
    const kind = this.kindFor(event);
    const context = this.contextFor(event);
    const physicalId = event.PhysicalResourceId ?? "";
    if (handoff.operation === "delete" && !kind.isOwnPhysicalId(physicalId)) return { IsComplete: true };
    const windowEnd = this.clock.now() + this.waitPolicy.isCompleteWindowMs;
    const attributes = await this.waitUntilSettled(kind, context, physicalId, handoff.operation, handoff.startedAt, windowEnd);
    if (attributes) return { IsComplete: true, Data: handoff.operation === "delete" ? void 0 : attributes };
    const elapsedMs = this.clock.now() - handoff.startedAt;
    if (elapsedMs >= this.waitPolicy.totalTimeoutMs) {
      const last = await this.observeQuietly(kind, context, physicalId, handoff.operation);
      throw new Error(`Timed out after ${Math.round(elapsedMs / 1e3)} s waiting for ${kind.noun} ${physicalId} to ${handoff.operation === "delete" ? "be deleted" : "become ACTIVE"}; last status: ${last?.status ?? "unknown"}.`);
    }
    return { IsComplete: false };
  }
  async update(kind, context, event, startedAt) {
    const newProps = kind.parse(event.ResourceProperties);
    const oldProps = kind.parse(event.OldResourceProperties ?? {});
    const physicalId = event.PhysicalResourceId ?? "";
    if (!kind.isOwnPhysicalId(physicalId)) {
      const arn = await this.createOrAdopt(kind, context, newProps);
      return this.waitThenHandOver(kind, context, arn, "create", startedAt);
    }
    const causes = kind.replacementCauses(oldProps, newProps);
    if (causes.length > 0) {
      const name = kind.nameOf(newProps);
      if (name === kind.nameOf(oldProps)) {
        throw new Error(`Changing ${causes.join(", ")} of ${kind.noun} '${name}' needs a replacement, but the replacement would have the same name as the ${kind.noun} it replaces, and names are unique. Change ${kind.nameProperty} (or remove it to let the library generate one) in the same deployment.`);
      }
      log("info", "replacing", { logicalId: event.LogicalResourceId, causes: causes.join(",") });
      const arn = await this.createOrAdopt(kind, context, newProps);
      return this.waitThenHandOver(kind, context, arn, "create", startedAt);
    }
    await kind.update(context, physicalId, oldProps, newProps);
    return this.waitThenHandOver(kind, context, physicalId, "update", startedAt);
  }
  async createOrAdopt(kind, context, props) {
    try {
      return await kind.create(context, props);
    } catch (error) {
      if (!isErrorNamed(error, "ResourceAlreadyExistsException")) throw error;
      const arn = kind.arnOf(context, props);
      if (await kind.isOwned(context, arn, props)) {
        log("info", "adopting a resource this stack resource created earlier", { arn });
        return arn;
      }
      throw new Error(`A ${kind.noun} named '${kind.nameOf(props)}' already exists (${arn}) and was not created by this stack resource. Choose another ${kind.nameProperty}, or delete the existing ${kind.noun}.`);
    }
  }
  /** Returns true when the resource is already gone. */
  async startDelete(kind, context, arn) {
    try {
      await kind.delete(context, arn);
      return false;
    } catch (error) {
      if (isErrorNamed(error, "ResourceNotFoundException")) return true;
      if (isErrorNamed(error, "ResourceInUseException")) return false;
      throw error;
    }
  }
  async waitThenHandOver(kind, context, arn, operation, startedAt) {
    const windowEnd = startedAt + this.waitPolicy.onEventWindowMs;
    const attributes = await this.waitUntilSettled(kind, context, arn, operation, startedAt, windowEnd, kind.firstPollDelayMs);
    const settled = attributes !== void 0;
    return {
      PhysicalResourceId: arn,
      Data: settled && operation !== "delete" ? attributes : void 0,
      Lifecycle: { operation, startedAt, settled }
    };
  }
  /**
   * Polls until the operation settles (returns the attributes), fails (throws), or
   * the window or total timeout ends (returns undefined).
   */
  async waitUntilSettled(kind, context, arn, operation, startedAt, windowEnd, firstDelayMs) {
    const deadline = Math.min(windowEnd, startedAt + this.waitPolicy.totalTimeoutMs);
    let delayMs = firstDelayMs ?? pollDelayMs(this.waitPolicy, this.clock.now() - startedAt);
    while (this.clock.now() + delayMs <= deadline) {
      await this.clock.sleep(delayMs);
      const settled = await this.poll(kind, context, arn, operation);
      if (settled) return settled;
      delayMs = pollDelayMs(this.waitPolicy, this.clock.now() - startedAt);
    }
    return void 0;
  }
  /** One look at the resource: attributes when done, undefined to keep waiting; throws on failure. */
  async poll(kind, context, arn, operation) {
    let observation;
    try {
      observation = await kind.observe(context, arn, operation);
    } catch (error) {
      if (isTransient(error)) {
        log("warn", "describe failed transiently; will poll again", { arn, error: errorName(error) });
        return void 0;
      }
      throw error;
    }
    if (operation === "delete") {
      if (!observation) return {};
      if (DELETING_STATUSES.has(observation.status)) return void 0;
      if (observation.status === "DELETE FAILED") throw new Error(`Personalize could not delete ${kind.noun} ${arn}: ${observation.failureReason ?? "no reason given"}`);
      return await this.startDelete(kind, context, arn) ? {} : void 0;
    }
    if (!observation) {
      throw new Error(`${capitalize(kind.noun)} ${arn} disappeared while waiting for it to become ACTIVE; it was probably deleted outside CloudFormation.`);
    }
    const outcome = outcomeOf(observation.status);
    if (outcome === "done") return observation.attributes;
    if (outcome === "wait") return void 0;
    throw new Error(`Personalize reported ${observation.status} for ${kind.noun} ${arn}: ${observation.failureReason ?? "no reason given"}`);
  }
  async observeQuietly(kind, context, arn, operation) {
    try {
      return await kind.observe(context, arn, operation);
    } catch (error) {
      log("warn", "last describe failed", { arn, error: describeError(error) });
      return void 0;
    }
  }
  kindFor(event) {
    const kind = this.kinds.get(event.ResourceType);
    if (!kind) {
      throw new Error(`This handler does not manage resource type '${event.ResourceType}' (known: ${[...this.kinds.keys()].join(", ")})`);
    }
    return kind;
  }
  contextFor(event) {
    const [, partition, , region, account, resource] = event.StackId.split(":");
    const stackName = (resource ?? "").split("/")[1] ?? "unknown-stack";
    const clock = this.clock;
    const retryPolicy = this.retryPolicy;
    return {
      clock,
      partition,
      region,
      account,
      owner: ownerTagValue(stackName, event.LogicalResourceId),
      call: (operation, attempt) => withRetries(operation, clock, attempt, retryPolicy)
    };
  }
};
function operationOf(event) {
  return event.RequestType === "Delete" ? "delete" : event.RequestType === "Create" ? "create" : "update";
}
function ownerTagValue(stackName, logicalId) {
  return `${stackName}/${logicalId}`.slice(0, 256);
}
function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// lambda/kinds/dataset-group.ts
var import_client_personalize2 = require("@aws-sdk/client-personalize");

// src/private/contract.ts
var ResourceTypes = {
  DATASET_GROUP: "Custom::PersonalizeDatasetGroup",
  SCHEMA: "Custom::PersonalizeSchema",
  DATASET: "Custom::PersonalizeDataset"
};
var Attributes = {
  ARN: "Arn",
  NAME: "Name",
  TRACKING_ID: "TrackingId"
};
var OWNER_TAG_KEY = "cdk-personalize:owner";

// lambda/personalize.ts
var import_client_personalize = require("@aws-sdk/client-personalize");
var client;
function personalize() {
  client ??= new import_client_personalize.PersonalizeClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5e3, requestTimeout: 2e4 }
  });
  return client;
}
function isNotFound(error) {
  return isErrorNamed(error, "ResourceNotFoundException");
}
async function describeOrUndefined(context, operation, attempt) {
  try {
    return await context.call(operation, attempt);
  } catch (error) {
    if (isNotFound(error)) return void 0;
    throw error;
  }
}
function requiredString(properties, key) {
  const value = properties[key];
  if (typeof value !== "string" || value === "") throw new Error(`Missing required property '${key}'`);
  return value;
}
function optionalString(properties, key) {
  const value = properties[key];
  return typeof value === "string" && value !== "" ? value : void 0;
}
function parseTags(value) {
  const tags = {};
  if (!Array.isArray(value)) return tags;
  for (const tag of value) tags[String(tag.Key)] = String(tag.Value ?? "");
  return tags;
}
function apiTags(tags, owner) {
  return [...Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue })), { tagKey: OWNER_TAG_KEY, tagValue: owner }];
}
async function syncTags(context, arn, oldTags, newTags) {
  const removed = Object.keys(oldTags).filter((key) => !(key in newTags) && key !== OWNER_TAG_KEY);
  const changed = Object.entries(newTags).filter(([key, value]) => oldTags[key] !== value);
  if (removed.length > 0) {
    await context.call("UntagResource", () => personalize().send(new import_client_personalize.UntagResourceCommand({ resourceArn: arn, tagKeys: removed })));
  }
  if (changed.length > 0) {
    await context.call("TagResource", () => personalize().send(new import_client_personalize.TagResourceCommand({
      resourceArn: arn,
      tags: changed.map(([tagKey, tagValue]) => ({ tagKey, tagValue }))
    })));
  }
}
async function hasOwnerTag(context, arn) {
  const response = await describeOrUndefined(
    context,
    "ListTagsForResource",
    () => personalize().send(new import_client_personalize.ListTagsForResourceCommand({ resourceArn: arn }))
  );
  return (response?.tags ?? []).some((tag) => tag.tagKey === OWNER_TAG_KEY && tag.tagValue === context.owner);
}
function personalizeArn(context, resource) {
  return `arn:${context.partition}:personalize:${context.region}:${context.account}:${resource}`;
}
function arnPattern(resourcePath) {
  return new RegExp(`^arn:[a-z\\d-]+:personalize:[a-z\\d-]*:\\d{12}:${resourcePath}$`);
}
function changedFields(oldProps, newProps, fields) {
  return fields.filter(([field]) => oldProps[field] !== newProps[field]).map(([, label]) => label);
}

// lambda/kinds/dataset-group.ts
var datasetGroupKind = {
  resourceType: ResourceTypes.DATASET_GROUP,
  noun: "dataset group",
  nameProperty: "datasetGroupName",
  parse: (properties) => ({
    name: requiredString(properties, "Name"),
    domain: optionalString(properties, "Domain"),
    kmsKeyArn: optionalString(properties, "KmsKeyArn"),
    roleArn: optionalString(properties, "RoleArn"),
    tags: parseTags(properties.Tags)
  }),
  nameOf: (spec) => spec.name,
  isOwnPhysicalId: (physicalId) => arnPattern("dataset-group/[a-zA-Z0-9][a-zA-Z0-9\\-_]*").test(physicalId),
  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [
    ["name", "datasetGroupName"],
    ["domain", "domain"],
    ["kmsKeyArn", "kmsKey"],
    ["roleArn", "role"]
  ]),
  create: async (context, spec) => {
    const response = await context.call("CreateDatasetGroup", () => personalize().send(new import_client_personalize2.CreateDatasetGroupCommand({
      name: spec.name,
      domain: spec.domain,
      kmsKeyArn: spec.kmsKeyArn,
      roleArn: spec.roleArn,
      tags: apiTags(spec.tags, context.owner)
    })));
    return response.datasetGroupArn;
  },
  arnOf: (context, spec) => personalizeArn(context, `dataset-group/${spec.name}`),
  isOwned: (context, arn) => hasOwnerTag(context, arn),
  update: (context, arn, oldSpec, newSpec) => syncTags(context, arn, oldSpec.tags, newSpec.tags),
  observe: async (context, arn) => {
    const response = await describeOrUndefined(
      context,
      "DescribeDatasetGroup",
      () => personalize().send(new import_client_personalize2.DescribeDatasetGroupCommand({ datasetGroupArn: arn }))
    );
    const group = response?.datasetGroup;
    if (!group) return void 0;
    return {
      status: group.status ?? "UNKNOWN",
      failureReason: group.failureReason,
      attributes: { [Attributes.ARN]: group.datasetGroupArn ?? arn, [Attributes.NAME]: group.name ?? "" }
    };
  },
  delete: async (context, arn) => {
    await context.call("DeleteDatasetGroup", () => personalize().send(new import_client_personalize2.DeleteDatasetGroupCommand({ datasetGroupArn: arn })));
  }
};

// lambda/kinds/index.ts
var ALL_KINDS = [datasetGroupKind];

// lambda/index.ts
function createHandlers(options = {}) {
  const engine = new LifecycleEngine({
    kinds: ALL_KINDS,
    clock: options.clock ?? systemClock,
    waitPolicy: options.waitPolicy,
    retryPolicy: options.retryPolicy
  });
  return {
    onEvent: (event) => engine.onEvent(event),
    isComplete: (event) => engine.isComplete(event)
  };
}
var handlers = createHandlers();
var onEvent = handlers.onEvent;
var isComplete = handlers.isComplete;
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  DEFAULT_WAIT_POLICY,
  createHandlers,
  isComplete,
  onEvent
});
