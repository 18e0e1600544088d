/** What the catalog offers other modules: teams and services, and its routes for the app. */
export { catalogRepo } from './catalog.repo.ts';
export { registerCatalogRoutes } from './catalog.routes.ts';
export type { Service, Team } from './catalog.schemas.ts';
export { type CatalogService, createCatalogService } from './catalog.service.ts';
