import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * Notifications: channels (how to reach a group or a person), per-user contact methods, rule sets per
 * user and per team, the delivery outbox with one row per attempt, and single-use one-click action links.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('notify_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    // Credentials (tokens, signing keys, passwords): used to send, never returned by the API.
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
    // The rate limiter's state (GCRA "theoretical arrival time", epoch ms), taken with one conditional UPDATE.
    .addColumn('rate_tat', 'bigint')
    .addColumn('disabled_at', 'bigint')
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_failure_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notify_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('notify_contacts_unique', ['user_id', 'kind', 'address'])
    .execute();

  // One rule document per owner ("user:<id>" or "team:<id>"): always read, validated and written whole.
  await db.schema
    .createTable('notify_rule_sets')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // The outbox: a message is a row before anything is sent; the dedupe key makes a second enqueue of
  // the same page (a retried escalation step, a second instance) a no-op.
  await db.schema
    .createTable('notify_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
    .addColumn('incident_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('cancel_if_acked', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notify_messages_created').on('notify_messages').column('created_at').execute();
  await db.schema
    .createIndex('notify_messages_incident')
    .on('notify_messages')
    .columns(['incident_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('notify_messages_channel')
    .on('notify_messages')
    .columns(['channel_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('notify_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().references('notify_messages.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('notify_attempts_message').on('notify_attempts').column('message_id').execute();
  // The per-channel rate limit counts the attempts of the last minute.
  await db.schema
    .createIndex('notify_attempts_channel')
    .on('notify_attempts')
    .columns(['channel_id', 'at'])
    .execute();

  await db.schema
    .createTable('notify_action_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Keys generated on first use and shared by every instance (the one-click link key when none is set).
  await db.schema
    .createTable('notify_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
