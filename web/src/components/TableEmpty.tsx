import { Empty } from 'antd';
import type { ReactNode } from 'react';

interface TableEmptyProps {
  description: ReactNode;
  action?: ReactNode;
  /** While the first load runs there is nothing to explain yet (the table shows its spinner). */
  loading?: boolean;
}

/** A table's empty state: says why it is empty and offers the next step. */
export function TableEmpty({ description, action, loading }: TableEmptyProps) {
  if (loading) return <div style={{ height: 96 }} />;
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description} style={{ margin: '16px 0' }}>
      {action}
    </Empty>
  );
}
