import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONTRACT_VERSION } from './contract';
import { KindDeclaration } from './declaration';
import { declaredGrants, DeclaredResources, grantHandler } from './handler-access';
import type { LongWait } from './long-wait';
import { PersonalizeProvider } from './provider';

export interface DeclaredResourceOptions<P> {
  /** The custom resource's properties; the contract version is added here, for every kind. */
  readonly properties: Omit<P, 'ContractVersion'>;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
  /** What the kind's declared calls are authorized on (declaredGrants). */
  readonly resources: DeclaredResources;
  /** @default 'Resource' */
  readonly id?: string;
}

/**
 * The custom resource of a construct of a declared kind, `Resource` under `scope` by default: served by the
 * stack's provider, and its handler granted what the kind's declaration says its calls need.
 */
export function declaredResource<P>(scope: Construct, kind: KindDeclaration, options: DeclaredResourceOptions<P>): CustomResource {
  const provider = PersonalizeProvider.getOrCreate(scope);
  const resource = new CustomResource(scope, options.id ?? 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: kind.resourceType,
    properties: { ContractVersion: CONTRACT_VERSION, ...options.properties },
    removalPolicy: options.removalPolicy ?? RemovalPolicy.DESTROY,
  });
  grantHandler(provider, resource, declaredGrants(scope, kind, options.resources));
  return resource;
}

/** Lets the long wait's function make the calls a kind declares for it (`longWaitCall`), on the resources given. */
export function watchDeclared(longWait: LongWait, scope: Construct, kind: KindDeclaration, resources: DeclaredResources): void {
  for (const grant of declaredGrants(scope, kind, resources, 'longWait')) longWait.watch(grant.actions, grant.resources);
}
