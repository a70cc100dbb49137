/**
 * An error the local service answers with. `type` becomes the `__type` of the
 * JSON body and the `x-amzn-ErrorType` header, which is what the AWS SDK uses
 * to pick the exception class.
 */
export class ServiceError extends Error {
  constructor(
    public readonly type: string,
    message: string,
    public readonly status: number = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** A violation of the model's constraints, found before the operation runs. */
export class ValidationError extends ServiceError {
  constructor(message: string) {
    super('InvalidInputException', message);
  }
}

/** Error names of the Amazon Personalize model (all HTTP 400). */
export const InvalidInput = 'InvalidInputException';
export const LimitExceeded = 'LimitExceededException';
export const ResourceAlreadyExists = 'ResourceAlreadyExistsException';
export const ResourceInUse = 'ResourceInUseException';
export const ResourceNotFound = 'ResourceNotFoundException';
export const TooManyTags = 'TooManyTagsException';
export const TooManyTagKeys = 'TooManyTagKeysException';
export const InvalidNextToken = 'InvalidNextTokenException';

/** Protocol-level errors the AWS JSON front end raises before the service sees a request. */
export const SerializationError = 'SerializationException';
export const UnknownOperation = 'UnknownOperationException';

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
