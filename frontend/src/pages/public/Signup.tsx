import { Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { PublicShell } from '../../components/PublicShell';
import { showError } from '../../components/forms';
import { slugify } from '../../lib/slug';

export function Signup() {
  const { t } = useTranslation();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { company: '', slug: '', name: '', email: '', password: '' },
    validate: {
      company: (v) => (v.trim() ? null : t('validation.required')),
      slug: (v) => (/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/.test(v) ? null : t('signup.slugRule')),
      name: (v) => (v.trim() ? null : t('validation.required')),
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : t('validation.email')),
      password: (v) => (v.length >= 12 ? null : t('validation.passwordLength')),
    },
  });
  const signup = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST('/api/v1/signup', { body: v })),
    onSuccess: (me) => {
      signedIn(me);
      navigate('/app', { replace: true });
    },
    onError: (e) => showError(e, form),
  });
  return (
    <PublicShell title={t('signup.title')} width={480}>
      <form onSubmit={form.onSubmit((v) => signup.mutate(v))} noValidate>
        <Stack>
          <TextInput
            label={t('signup.company')}
            autoComplete="organization"
            required
            {...form.getInputProps('company')}
            onChange={(e) => {
              const company = e.currentTarget.value;
              const auto = !form.isTouched('slug');
              form.setFieldValue('company', company);
              if (auto) form.setFieldValue('slug', slugify(company));
            }}
          />
          <TextInput
            label={t('signup.slug')}
            description={t('signup.slugHelp', { slug: form.values.slug || 'acme' })}
            required
            {...form.getInputProps('slug')}
          />
          <TextInput label={t('signup.name')} autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label={t('auth.email')} type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput
            label={t('auth.password')}
            description={t('validation.passwordLength')}
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={signup.isPending} fullWidth>
            {t('signup.submit')}
          </Button>
          <Text size="sm" ta="center">
            {t('signup.haveAccount')}{' '}
            <Anchor component={Link} to="/login">
              {t('auth.login')}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </PublicShell>
  );
}
