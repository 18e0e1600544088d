import { DeleteOutlined, EditOutlined, LinkOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Service } from '../../app/types';
import { Time } from '../../components/Time';
import { TierTag } from './TierTag';

interface ServicesTableProps {
  services: Service[];
  loading: boolean;
  editable: boolean;
  empty: ReactNode;
  onEdit(service: Service): void;
  onDelete(service: Service): Promise<unknown>;
  onTag(tag: string): void;
}

export function ServicesTable({
  services,
  loading,
  editable,
  empty,
  onEdit,
  onDelete,
  onTag,
}: ServicesTableProps) {
  const { t } = useTranslation();
  const columns: ColumnsType<Service> = [
    {
      title: t('services.name'),
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (_, s) => (
        <div style={{ minWidth: 180 }}>
          <Typography.Text strong className="steady-mono">
            {s.name}
          </Typography.Text>
          {s.description && (
            <Typography.Paragraph
              type="secondary"
              ellipsis={{ rows: 1, tooltip: s.description }}
              style={{ margin: 0 }}
            >
              {s.description}
            </Typography.Paragraph>
          )}
        </div>
      ),
    },
    {
      title: t('services.owner'),
      dataIndex: 'ownerTeamName',
      width: 180,
      render: (_, s) =>
        s.ownerTeamId ? (
          <Link to={`/teams/${s.ownerTeamId}`}>{s.ownerTeamName}</Link>
        ) : (
          <Typography.Text type="warning">{t('services.noOwner')}</Typography.Text>
        ),
    },
    {
      title: t('services.tier'),
      dataIndex: 'tier',
      width: 70,
      sorter: (a, b) => a.tier - b.tier,
      render: (tier: number) => <TierTag tier={tier} />,
    },
    {
      title: t('services.tags'),
      dataIndex: 'tags',
      render: (tags: string[]) => (
        <Space size={[0, 4]} wrap>
          {tags.map((tag) => (
            <Tag key={tag} style={{ cursor: 'pointer' }} onClick={() => onTag(tag)}>
              {tag}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('services.links'),
      dataIndex: 'links',
      width: 110,
      render: (links: Service['links']) => (
        <Space size={4} wrap>
          {links.map((link) => (
            <Tooltip key={link.url} title={link.url}>
              <a href={link.url} target="_blank" rel="noreferrer noopener">
                <LinkOutlined /> {link.title}
              </a>
            </Tooltip>
          ))}
        </Space>
      ),
    },
    {
      title: t('common.updated'),
      dataIndex: 'updatedAt',
      width: 120,
      sorter: (a, b) => a.updatedAt - b.updatedAt,
      render: (at: number) => <Time value={at} />,
    },
  ];
  if (editable) {
    columns.push({
      key: 'actions',
      width: 80,
      align: 'right',
      render: (_, s) => (
        <Space size={0}>
          <Tooltip title={t('common.edit')}>
            <Button
              type="text"
              size="small"
              icon={<EditOutlined />}
              aria-label={t('common.edit')}
              onClick={() => onEdit(s)}
            />
          </Tooltip>
          <Popconfirm
            title={t('services.deleteConfirm', { name: s.name })}
            okText={t('common.delete')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
            onConfirm={() => onDelete(s)}
          >
            <Button
              type="text"
              size="small"
              danger
              icon={<DeleteOutlined />}
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        </Space>
      ),
    });
  }
  return (
    <Table<Service>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={services}
      loading={loading}
      pagination={services.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      locale={{ emptyText: empty }}
      data-testid="services-table"
    />
  );
}
