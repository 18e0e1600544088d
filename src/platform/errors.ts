/**
 * The one error type the HTTP layer turns into a reply. Services throw it with a stable machine code and
 * a message a person can act on; `details` carries structured context (e.g. which field).
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError(400, 'bad_request', message, details);
export const unauthorized = (message = 'Authentication required') =>
  new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'Your role does not allow this action') =>
  new AppError(403, 'forbidden', message);
export const notFound = (what: string, id?: string) =>
  new AppError(404, 'not_found', id ? `${what} ${id} does not exist` : `${what} does not exist`);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError(409, 'conflict', message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(429, 'too_many_requests', message, { retryAfterSeconds });
