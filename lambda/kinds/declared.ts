/**
 * What a handler kind takes from its kind's declaration (src/private/declaration.ts), so that
 * its resource type, messages, ARN shape and IAM behaviour are those the construct granted for.
 */
import { arnPatternOf, KindDeclaration } from '../../src/private/declaration';
import type { KindContext, ResourceKind } from '../resource-kind';

const SERVICE_NAMES: Record<KindDeclaration['service'], string> = { personalize: 'Personalize', rekognition: 'Rekognition' };

type DeclaredFields = Pick<ResourceKind<unknown>, 'resourceType' | 'noun' | 'service' | 'nameProperty' | 'ownerTagGatesIam' | 'isOwnPhysicalId'>;

/** The fields of a ResourceKind its declaration fixes. */
export function declaredFields(declaration: KindDeclaration): DeclaredFields {
  const arn = declaration.arn ? arnPatternOf(declaration) : undefined;
  return {
    resourceType: declaration.resourceType,
    noun: declaration.noun,
    service: SERVICE_NAMES[declaration.service],
    nameProperty: declaration.nameProperty,
    ownerTagGatesIam: declaration.ownerTagGatesIam,
    isOwnPhysicalId: (physicalId) => arn?.test(physicalId) ?? false,
  };
}

/** `arnOf` for a kind whose ARN is `RESOURCE/NAME`: names are deterministic, so the ARN follows from the name. */
export function arnByName<P extends { readonly name: string }>(declaration: KindDeclaration): (context: KindContext, props: P) => string {
  const { service, arn } = declaration;
  if (!arn) throw new Error(`The ${declaration.noun} kind has no ARN of its own`);
  return (context, props) => `arn:${context.partition}:${service}:${context.region}:${context.account}:${arn.resource}/${props.name}`;
}
