import { PauseCircleOutlined, PlayCircleOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { App, Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { type ProbeListItem, usePauseProbe, useRunProbe } from './api';

/** Run now (responders too) and pause/resume (editors), as on the API's routes. */
export function ProbeActions({
  probe,
  size,
}: {
  probe: Pick<ProbeListItem, 'id' | 'state' | 'kind'>;
  size?: 'small';
}) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const run = useRunProbe();
  const pause = usePauseProbe();
  const paused = probe.state === 'paused';

  return (
    <>
      {can('respond') && probe.kind !== 'heartbeat' && (
        <Tooltip title={t('signals.probes.runNowHelp')}>
          <Button
            size={size}
            icon={<ThunderboltOutlined />}
            loading={run.isPending}
            data-testid="probe-run"
            onClick={async () => {
              try {
                const r = await run.mutateAsync(probe.id);
                if (r.result.ok)
                  void message.success(t('signals.probes.ranOk', { ms: Math.round(r.result.durationMs) }));
                else void message.warning(t('signals.probes.ranFailed', { reason: r.result.reason ?? '' }));
              } catch (err) {
                showError(err);
              }
            }}
          >
            {t('signals.probes.runNow')}
          </Button>
        </Tooltip>
      )}
      {can('editCatalog') && (
        <Button
          size={size}
          icon={paused ? <PlayCircleOutlined /> : <PauseCircleOutlined />}
          loading={pause.isPending}
          data-testid={paused ? 'probe-resume' : 'probe-pause'}
          onClick={async () => {
            try {
              await pause.mutateAsync({ id: probe.id, pause: !paused });
            } catch (err) {
              showError(err);
            }
          }}
        >
          {paused ? t('signals.probes.resume') : t('signals.probes.pause')}
        </Button>
      )}
    </>
  );
}
