import type { components } from './schema.gen';

type S = components['schemas'];
export type Me = S['Me'];
export type User = S['User'];
export type Invite = S['Invite'];
export type APIKey = S['APIKey'];
export type AuditEvent = S['AuditEvent'];
export type Role = S['Role'];
export type Permission = S['Permission'];
export type Settings = S['Settings'];
export type Billing = S['Billing'];
export type Plan = S['Plan'];
export type PortalBranding = S['PortalBranding'];
export type CustomerMe = S['CustomerMe'];
export type CustomerOrder = S['CustomerOrder'];
export type PortalUser = S['PortalUser'];
export type TaxRate = S['TaxRate'];
export type NumberSeries = S['NumberSeries'];
