// Central's HTTP API.
export { buildApi, type ApiOptions } from './build-api.js';
export { ensureAdminToken } from './admin-token.js';
export { API_ERRORS, ApiError, type ApiErrorCode } from './api-errors.js';
export type { ApiApp, ApiClock, ApiStore } from './api-context.js';
