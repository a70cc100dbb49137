import { ServiceError } from '../local-service/errors';

export { SerializationError, ServiceError, UnknownOperation, ValidationError } from '../local-service/errors';

/** Error names of the Amazon Personalize model (all HTTP 400). */
export const InvalidInput = 'InvalidInputException';
export const LimitExceeded = 'LimitExceededException';
export const ResourceAlreadyExists = 'ResourceAlreadyExistsException';
export const ResourceInUse = 'ResourceInUseException';
export const ResourceNotFound = 'ResourceNotFoundException';
export const TooManyTags = 'TooManyTagsException';
export const TooManyTagKeys = 'TooManyTagKeysException';
export const InvalidNextToken = 'InvalidNextTokenException';

export function invalidInput(message: string): ServiceError {
  return new ServiceError(InvalidInput, message);
}

export function notFound(message: string): ServiceError {
  return new ServiceError(ResourceNotFound, message);
}

export function inUse(message: string): ServiceError {
  return new ServiceError(ResourceInUse, message);
}

export function alreadyExists(message: string): ServiceError {
  return new ServiceError(ResourceAlreadyExists, message);
}
