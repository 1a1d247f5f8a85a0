import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { RequirePerm } from './components/RequirePerm';
import { AppLayout } from './components/AppLayout';
import { RequireStaff } from './components/RequireStaff';
import { NotFound } from './components/NotFound';
import { Landing } from './pages/public/Landing';
import { Signup } from './pages/public/Signup';
import { Login } from './pages/public/Login';
import { ForgotPassword } from './pages/public/ForgotPassword';
import { ResetPassword } from './pages/public/ResetPassword';
import { AcceptInvite } from './pages/public/AcceptInvite';
import { Dashboard } from './pages/app/Dashboard';
import { Users } from './pages/app/Users';
import { Roles } from './pages/app/Roles';
import { ApiKeys } from './pages/app/ApiKeys';
import { Audit } from './pages/app/Audit';
import { SettingsPage } from './pages/app/Settings';
import { BillingPage } from './pages/app/Billing';
import { Security } from './pages/app/Security';
import { Products } from './pages/app/erp/Products';
import { ProductDetail } from './pages/app/erp/ProductDetail';
import { Stock } from './pages/app/erp/Stock';
import { Lots, LotDetail } from './pages/app/erp/Lots';
import { Warehouses } from './pages/app/erp/Warehouses';
import { PriceLists, PriceListDetail } from './pages/app/erp/PriceLists';
import { ProductionOrders, ProductionOrderDetail } from './pages/app/erp/Production';
import { Accounts, AccountDetail } from './pages/app/sales/Accounts';
import { MyTasks } from './pages/app/crm/Activities';
import { Opportunities } from './pages/app/crm/Opportunities';
import { OpportunityDetail } from './pages/app/crm/OpportunityDetail';
import { Pipelines } from './pages/app/crm/Pipelines';
import { Quotes } from './pages/app/quotes/Quotes';
import { QuoteDetail } from './pages/app/quotes/QuoteDetail';
import { Orders } from './pages/app/sales/Orders';
import { OrderDetail } from './pages/app/sales/OrderDetail';
import { Shipments, ShipmentDetail } from './pages/app/sales/Shipments';
import { Invoices, InvoiceDetail } from './pages/app/sales/Invoices';
import { Receivables } from './pages/app/sales/Receivables';
import { Returns, ReturnDetail } from './pages/app/sales/Returns';
import { PortalLayout } from './pages/portal/PortalLayout';
import { PortalLogin } from './pages/portal/PortalLogin';
import { PortalHome } from './pages/portal/PortalHome';
import { PortalAcceptInvite } from './pages/portal/PortalAcceptInvite';
import { PortalMagicLink } from './pages/portal/PortalMagicLink';
import { PortalQuotes } from './pages/portal/PortalQuotes';
import { PortalQuote } from './pages/portal/PortalQuote';
import { PortalInvoice, PortalInvoices } from './pages/portal/PortalInvoices';
import { PortalOrder } from './pages/portal/PortalOrder';
import { PortalNewTicket, PortalTickets } from './pages/portal/PortalTickets';
import { PortalTicket } from './pages/portal/PortalTicket';
import { Tickets } from './pages/app/support/Tickets';
import { TicketDetail } from './pages/app/support/TicketDetail';
import { PortalPreferences } from './pages/portal/PortalPreferences';
import { PortalReturn, PortalReturns } from './pages/portal/PortalReturns';
import { PortalCreditNote } from './pages/portal/PortalCreditNote';

// guard keeps a screen to holders of the permission its API needs.
const guard = (perm: string, page: ReactNode) => <RequirePerm perm={perm}>{page}</RequirePerm>;

export const routes: RouteObject[] = [
  { path: '/', element: <Landing /> },
  { path: '/signup', element: <Signup /> },
  { path: '/login', element: <Login /> },
  { path: '/forgot-password', element: <ForgotPassword /> },
  { path: '/reset-password', element: <ResetPassword /> },
  { path: '/accept-invite', element: <AcceptInvite /> },
  {
    path: '/app',
    element: (
      <RequireStaff>
        <AppLayout />
      </RequireStaff>
    ),
    children: [
      { index: true, element: <Dashboard /> },
      { path: 'accounts', element: guard('accounts:read', <Accounts />) },
      { path: 'accounts/:id', element: guard('accounts:read', <AccountDetail />) },
      { path: 'tasks', element: guard('activities:read', <MyTasks />) },
      { path: 'opportunities', element: guard('opportunities:read', <Opportunities />) },
      { path: 'opportunities/:id', element: guard('opportunities:read', <OpportunityDetail />) },
      { path: 'quotes', element: guard('quotes:read', <Quotes />) },
      { path: 'quotes/:id', element: guard('quotes:read', <QuoteDetail />) },
      { path: 'pipelines', element: guard('pipelines:manage', <Pipelines />) },
      { path: 'orders', element: guard('orders:read', <Orders />) },
      { path: 'orders/:id', element: guard('orders:read', <OrderDetail />) },
      { path: 'shipments', element: guard('shipments:read', <Shipments />) },
      { path: 'shipments/:id', element: guard('shipments:read', <ShipmentDetail />) },
      { path: 'returns', element: guard('returns:read', <Returns />) },
      { path: 'returns/:id', element: guard('returns:read', <ReturnDetail />) },
      { path: 'invoices', element: guard('invoices:read', <Invoices />) },
      { path: 'invoices/:id', element: guard('invoices:read', <InvoiceDetail />) },
      { path: 'receivables', element: guard('invoices:read', <Receivables />) },
      { path: 'tickets', element: guard('tickets:read', <Tickets />) },
      { path: 'tickets/:id', element: guard('tickets:read', <TicketDetail />) },
      { path: 'products', element: guard('products:read', <Products />) },
      { path: 'products/:id', element: guard('products:read', <ProductDetail />) },
      { path: 'price-lists', element: guard('products:read', <PriceLists />) },
      { path: 'price-lists/:id', element: guard('products:read', <PriceListDetail />) },
      { path: 'production', element: guard('production:read', <ProductionOrders />) },
      { path: 'production/:id', element: guard('production:read', <ProductionOrderDetail />) },
      { path: 'stock', element: guard('stock:read', <Stock />) },
      { path: 'lots', element: guard('stock:read', <Lots />) },
      { path: 'lots/:id', element: guard('stock:read', <LotDetail />) },
      { path: 'warehouses', element: guard('stock:read', <Warehouses />) },
      { path: 'users', element: guard('users:read', <Users />) },
      { path: 'roles', element: guard('roles:read', <Roles />) },
      { path: 'api-keys', element: guard('api_keys:manage', <ApiKeys />) },
      { path: 'audit', element: guard('audit:read', <Audit />) },
      { path: 'settings', element: guard('settings:read', <SettingsPage />) },
      { path: 'billing', element: guard('billing:read', <BillingPage />) },
      { path: 'security', element: <Security /> },
      { path: '*', element: <NotFound /> },
    ],
  },
  {
    path: '/portal/:slug',
    element: <PortalLayout />,
    children: [
      { index: true, element: <PortalLogin /> },
      { path: 'home', element: <PortalHome /> },
      { path: 'orders', element: <PortalHome /> },
      { path: 'orders/:id', element: <PortalOrder /> },
      { path: 'quotes', element: <PortalQuotes /> },
      { path: 'quotes/:id', element: <PortalQuote /> },
      { path: 'invoices', element: <PortalInvoices /> },
      { path: 'invoices/:id', element: <PortalInvoice /> },
      { path: 'tickets', element: <PortalTickets /> },
      { path: 'tickets/new', element: <PortalNewTicket /> },
      { path: 'tickets/:id', element: <PortalTicket /> },
      { path: 'preferences', element: <PortalPreferences /> },
      { path: 'returns', element: <PortalReturns /> },
      { path: 'returns/:id', element: <PortalReturn /> },
      { path: 'credit-notes/:id', element: <PortalCreditNote /> },
      { path: 'accept-invite', element: <PortalAcceptInvite /> },
      { path: 'magic-link', element: <PortalMagicLink /> },
    ],
  },
  { path: '*', element: <NotFound /> },
];
