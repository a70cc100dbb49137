import { PersonalizeServiceException } from '@aws-sdk/client-personalize';

/** An error shaped as the SDK raises it for a Personalize error response. */
export function serviceError(name: string, httpStatusCode = 400, message = `${name} (test)`): PersonalizeServiceException {
  return new PersonalizeServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

export const throttled = () => serviceError('LimitExceededException');
export const notFound = () => serviceError('ResourceNotFoundException');
export const inUse = () => serviceError('ResourceInUseException');
export const alreadyExists = () => serviceError('ResourceAlreadyExistsException');
export const internalError = () => serviceError('InternalFailure', 500);
