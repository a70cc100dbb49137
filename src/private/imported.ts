import { IResource, Resource, ResourceProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { KindDeclaration } from './declaration';
import { validatePersonalizeArnOf } from './validation';

/** The properties an import of `T` is given: its own attributes, not its methods nor what every resource has. */
export type ImportedAttributes<T extends IResource> = Omit<
  { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] },
  keyof IResource
>;

/**
 * The class an import of `T` is made of: `Resource`, or the kind's base class, which gives it
 * the kind's methods (its grants) and leaves the attributes abstract.
 */
export type ImportBase<T extends IResource> =
  abstract new (scope: Construct, id: string, props?: ResourceProps) => Resource & Omit<T, keyof ImportedAttributes<T>>;

/**
 * A resource imported by its ARN, in the ARN's account and region, with `attributes` as its
 * properties. The caller validates the ARN first, so that the error names its kind.
 */
export function importedResource<T extends IResource>(
  base: ImportBase<T>, scope: Construct, id: string, arn: string, attributes: ImportedAttributes<T>,
): T {
  // The attributes fill the base's abstract properties: none is read while the resource is built.
  const Import = class extends (base as unknown as typeof Resource) {};
  return Object.assign(new Import(scope, id, { environmentFromArn: arn }), attributes) as unknown as T;
}

/**
 * A resource of a Personalize kind whose only attribute is its ARN, imported by that ARN once
 * it is checked to be the kind's; `arnProperty` names the attribute and the ARN in errors.
 */
export function importedPersonalizeResource<T extends IResource>(
  base: ImportBase<T>, scope: Construct, id: string, kind: KindDeclaration, arnProperty: keyof ImportedAttributes<T> & string, arn: string,
): T {
  validatePersonalizeArnOf(arnProperty, arn, kind);
  return importedResource(base, scope, id, arn, { [arnProperty]: arn } as ImportedAttributes<T>);
}
