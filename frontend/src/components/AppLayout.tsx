import { Alert, Anchor, AppShell, Avatar, Badge, Burger, Divider, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBarcode,
  IconBox,
  IconBuildingFactory2,
  IconBuildingStore,
  IconBuildingWarehouse,
  IconReceipt,
  IconStack2,
  IconTags,
  IconTruckDelivery,
  IconChevronDown,
  IconFileInvoice,
  IconFileDollar,
  IconReportMoney,
  IconCreditCard,
  IconHome,
  IconKey,
  IconListDetails,
  IconLogout,
  IconSettings,
  IconShieldLock,
  IconUserShield,
  IconUsers,
  IconChecklist,
  IconTargetArrow,
  IconTimeline,
  IconHeadset,
} from '@tabler/icons-react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { visibleNav, type NavItem } from '../nav';
import { Brand } from './Brand';
import { LanguageSwitch } from './LanguageSwitch';

const icons: Record<string, typeof IconHome> = {
  dashboard: IconHome,
  accounts: IconBuildingStore,
  myTasks: IconChecklist,
  opportunities: IconTargetArrow,
  quotes: IconFileDollar,
  pipelines: IconTimeline,
  orders: IconReceipt,
  shipments: IconTruckDelivery,
  invoices: IconFileInvoice,
  receivables: IconReportMoney,
  tickets: IconHeadset,
  products: IconBox,
  priceLists: IconTags,
  production: IconBuildingFactory2,
  stock: IconStack2,
  lots: IconBarcode,
  warehouses: IconBuildingWarehouse,
  users: IconUsers,
  roles: IconUserShield,
  apiKeys: IconKey,
  audit: IconListDetails,
  settings: IconSettings,
  billing: IconCreditCard,
  security: IconShieldLock,
};

export function AppLayout() {
  const { t } = useTranslation();
  const { me, can, signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const loc = useLocation();
  const navigate = useNavigate();
  const items = visibleNav(can);
  const link = (n: NavItem) => {
    const Icon = icons[n.key] ?? IconHome;
    const active = n.to === '/app' ? loc.pathname === '/app' : loc.pathname.startsWith(n.to);
    return (
      <NavLink
        key={n.key}
        component={Link}
        to={n.to}
        label={t(`nav.${n.key}`)}
        leftSection={<Icon size={18} stroke={1.6} aria-hidden />}
        active={active}
        aria-current={active ? 'page' : undefined}
        onClick={close}
      />
    );
  };
  const admin = items.filter((n) => n.group === 'admin');
  const name = me?.user?.name ?? '';
  const trial = me?.tenant.billing_state === 'trialing';
  const lapsed = me?.tenant.billing_state === 'past_due' || me?.tenant.billing_state === 'canceled';

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('common.menu')} />
            <Brand />
            <Group gap={6} visibleFrom="xs" wrap="nowrap">
              <IconBuildingStore size={18} aria-hidden />
              <Text fw={500} data-testid="tenant-name">
                {me?.tenant.name}
              </Text>
              {trial && (
                <Badge variant="light" color="grape">
                  {t('common.trial')}
                </Badge>
              )}
            </Group>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={t('common.userMenu')}>
                  <Group gap={6} wrap="nowrap">
                    <Avatar size="sm" radius="xl" color="blue">
                      {name.slice(0, 1).toUpperCase()}
                    </Avatar>
                    <Text size="sm" visibleFrom="sm">
                      {name}
                    </Text>
                    <IconChevronDown size={14} aria-hidden />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me?.user?.email}</Menu.Label>
                <Menu.Item component={Link} to="/app/security" leftSection={<IconShieldLock size={16} />}>
                  {t('nav.security')}
                </Menu.Item>
                <Menu.Item
                  color="red"
                  leftSection={<IconLogout size={16} />}
                  onClick={async () => {
                    await signOut();
                    navigate('/login');
                  }}
                >
                  {t('auth.logout')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('common.navigation')}>
        <ScrollArea>
          {items.filter((n) => n.group === 'main').map(link)}
          {admin.length > 0 && (
            <>
              <Divider my="sm" label={t('nav.admin')} labelPosition="left" />
              {admin.map(link)}
            </>
          )}
          <Divider my="sm" label={t('nav.account')} labelPosition="left" />
          {items.filter((n) => n.group === 'account').map(link)}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main">
        {lapsed && (
          <Alert color={me?.tenant.billing_state === 'canceled' ? 'red' : 'orange'} mb="md" data-testid="billing-banner">
            {t(me?.tenant.billing_state === 'canceled' ? 'common.billingCanceled' : 'common.billingPastDue')}{' '}
            <Anchor component={Link} to="/app/billing">
              {t('nav.billing')}
            </Anchor>
          </Alert>
        )}
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
