/**
 * An error a local service answers with. `type` becomes the `__type` of the
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

/** A violation of the model's constraints, found before the operation runs; `type` is the service's name for it. */
export class ValidationError extends ServiceError {}

/** Protocol-level errors the AWS JSON front end raises before the service sees a request. */
export const SerializationError = 'SerializationException';
export const UnknownOperation = 'UnknownOperationException';
