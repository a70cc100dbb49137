import { IConstruct } from 'constructs';

/** The construct holding each slot so far, per app: per container (a dataset group, a project), per type. */
const slotsByApp = new WeakMap<IConstruct, Map<unknown, Map<string, IConstruct>>>();

/**
 * Claims the slot of `type` in `container` for `construct`, where a container holds at
 * most one resource of each type (a Personalize dataset group, a Rekognition project).
 * Returns the construct that already holds the slot, if any; the caller says why that is
 * an error. `container` is the container construct, or a string key for an imported one,
 * so that two imports of the same container share their slots.
 */
export function claimSlot(construct: IConstruct, container: unknown, type: string): IConstruct | undefined {
  const containers = slotsByApp.get(construct.node.root) ?? new Map<unknown, Map<string, IConstruct>>();
  slotsByApp.set(construct.node.root, containers);
  const claimed = containers.get(container) ?? new Map<string, IConstruct>();
  containers.set(container, claimed);
  const existing = claimed.get(type);
  if (!existing) claimed.set(type, construct);
  return existing;
}
