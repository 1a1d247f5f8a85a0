// ApiError carries an RFC 9457 problem+json answer from the API, so screens
// can show its detail and put its per-field errors next to the inputs.
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Record<string, string>;
  request_id?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** Field errors keyed by the API's field names (may be empty). */
  get fields(): Record<string, string> {
    return this.problem.errors ?? {};
  }

  static from(status: number, body: unknown): ApiError {
    if (body && typeof body === 'object') return new ApiError(status, body as Problem);
    return new ApiError(status, { status, title: typeof body === 'string' && body ? body : `HTTP ${status}` });
  }
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status);
}
