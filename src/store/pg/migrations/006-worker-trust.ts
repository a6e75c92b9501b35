import type { Migration } from '../../../database/migration.js';
import { quoteIdent } from '../../../database/quote-ident.js';
import {
  ANSWER_CHANNEL,
  MAX_ANSWER_BYTES,
  probeQueue,
  revokeDirectGrants,
  WORKER_FUNCTIONS,
} from '../../../database/worker-contract.js';

// A worker runs in a network someone else controls and holds database credentials, so the
// database itself decides what a worker's role may do. The role gets no privilege on any table:
// it may only call the five functions below, which run as the bot's role (SECURITY DEFINER) and
// act for the one vantage the role is bound to in vantage_roles — a table only the bot writes.
// Every time they store comes from the database clock; every answer is size-checked; a job is
// taken, answered and finished only in the bound vantage's queue.
//
// Why functions and not row-level security on pg-boss's tables: pg-boss's own worker queries need
// SELECT, UPDATE, INSERT and DELETE on its job table (a failed job is deleted and inserted again),
// every column included, plus reading its queue table. Narrowing that with policies and column
// grants means re-deriving pg-boss's internals in security rules, release after release, and a
// role that may UPDATE its rows may still lock them and rewrite their data and expiry. Five
// functions are the whole surface a worker has, and they can be read in one sitting.

/** Heartbeat rows a role may have announced within a day: a worker restarting in a loop stays bounded. */
const MAX_WORKERS_PER_ROLE_PER_DAY = 200;

export const workerTrust: Migration = {
  version: 6,
  name: 'worker roles bound to one vantage',
  async up(client) {
    // The functions name the bot's tables with their schema, so a worker's search_path cannot
    // point them elsewhere.
    const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
    const s = quoteIdent(rows[0]?.schema ?? 'public');

    await client.query(`
      CREATE TABLE vantage_roles (
        role name PRIMARY KEY,
        vantage text NOT NULL CHECK (vantage ~ '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$'),
        granted_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE vantage_workers ADD COLUMN role name;
      ALTER TABLE vantage_results ADD COLUMN written_by name;
      ALTER TABLE vantage_results ADD COLUMN job_id uuid;
      ALTER TABLE vantage_results ADD CONSTRAINT vantage_results_size
        CHECK (octet_length(result::text) <= ${MAX_ANSWER_BYTES}) NOT VALID;
    `);

    // The vantage the calling role speaks for, or an error a worker can act on. session_user is
    // the role that logged in: a definer function's current_user is the bot's.
    await client.query(`
      CREATE FUNCTION smtp_check_bound_vantage() RETURNS text
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      DECLARE bound text;
      BEGIN
        SELECT vantage INTO bound FROM ${s}.vantage_roles WHERE role = session_user;
        IF bound IS NULL THEN
          RAISE EXCEPTION 'role % is not bound to a vantage', session_user
            USING ERRCODE = '42501',
                  HINT = 'bind it with smtp-check worker-role ROLE --vantage NAME, run with the bot''s DATABASE_URL';
        END IF;
        RETURN bound;
      END $fn$;

      CREATE FUNCTION smtp_check_worker_hello(p_vantage text, p_worker uuid, p_version text, p_hostname text)
      RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      DECLARE bound text := ${s}.smtp_check_bound_vantage();
      BEGIN
        IF p_vantage IS DISTINCT FROM bound THEN
          RAISE EXCEPTION 'role % speaks for vantage %, not %', session_user, bound, left(coalesce(p_vantage, ''), 40)
            USING ERRCODE = '42501',
                  HINT = format('start this worker with --vantage %s, or give it the role bound to %s', bound, left(coalesce(p_vantage, ''), 40));
        END IF;
        IF (SELECT count(*) FROM ${s}.vantage_workers
             WHERE role = session_user AND started_at > now() - interval '1 day') >= ${MAX_WORKERS_PER_ROLE_PER_DAY} THEN
          RAISE EXCEPTION 'role % announced ${MAX_WORKERS_PER_ROLE_PER_DAY} workers within a day', session_user
            USING ERRCODE = '54000', HINT = 'a worker restarting in a loop: read its log';
        END IF;
        INSERT INTO ${s}.vantage_workers (worker_id, vantage, version, hostname, started_at, last_seen, role)
        VALUES (p_worker, bound, left(coalesce(p_version, ''), 40), left(coalesce(p_hostname, ''), 255), now(), now(), session_user);
      END $fn$;

      CREATE FUNCTION smtp_check_worker_beat(p_worker uuid) RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      BEGIN
        UPDATE ${s}.vantage_workers SET last_seen = now()
         WHERE worker_id = p_worker AND role = session_user AND stopped_at IS NULL;
        RETURN FOUND;
      END $fn$;

      CREATE FUNCTION smtp_check_worker_bye(p_worker uuid) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      BEGIN
        UPDATE ${s}.vantage_workers SET stopped_at = now(), last_seen = now()
         WHERE worker_id = p_worker AND role = session_user AND stopped_at IS NULL;
      END $fn$;
    `);

    // Taking and answering jobs. The queries on pg-boss's job table are dynamic (EXECUTE): a cached
    // plan would miss a queue's partition created after the function first ran in a session. A
    // job's deadline is its creation (the database's clock at send) plus the bot's budget, so a
    // worker's own clock never decides whether a job is still wanted.
    await client.query(`
      CREATE FUNCTION smtp_check_worker_take(p_worker uuid, p_limit integer)
      RETURNS TABLE (job_id uuid, data jsonb, remaining_ms integer)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      DECLARE
        bound text := ${s}.smtp_check_bound_vantage();
        queue text := '${probeQueue('')}' || bound;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM ${s}.vantage_workers
                        WHERE worker_id = p_worker AND role = session_user AND stopped_at IS NULL) THEN
          RAISE EXCEPTION 'worker % has not announced itself', p_worker USING ERRCODE = '42501';
        END IF;
        -- Jobs nobody waits for any more are finished unprobed.
        EXECUTE 'UPDATE pgboss.job SET state = ''cancelled'', completed_on = now()
                  WHERE name = $1 AND state < ''active''
                    AND created_on + (coalesce((data->>''budgetMs'')::bigint, 0) * interval ''1 millisecond'') <= now()'
          USING queue;
        RETURN QUERY EXECUTE
          'WITH next AS (
             SELECT id FROM pgboss.job
              WHERE name = $1 AND state < ''active'' AND start_after < now()
              ORDER BY priority DESC, created_on, id
              LIMIT least(greatest($2, 1), 64)
              FOR UPDATE SKIP LOCKED)
           UPDATE pgboss.job j
              SET state = ''active'', started_on = now(),
                  retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
             FROM next WHERE j.name = $1 AND j.id = next.id
           RETURNING j.id, j.data,
             greatest(0, floor(extract(epoch FROM (j.created_on
               + (coalesce((j.data->>''budgetMs'')::bigint, 0) * interval ''1 millisecond'') - now())) * 1000))::integer'
          USING queue, p_limit;
      END $fn$;

      CREATE FUNCTION smtp_check_worker_answer(p_job uuid, p_worker uuid, p_answer jsonb) RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      DECLARE
        bound text := ${s}.smtp_check_bound_vantage();
        queue text := '${probeQueue('')}' || bound;
        job_data jsonb;
        stored integer;
      BEGIN
        IF octet_length(p_answer::text) > ${MAX_ANSWER_BYTES} THEN
          RAISE EXCEPTION 'an answer of % bytes is over the limit of ${MAX_ANSWER_BYTES}', octet_length(p_answer::text)
            USING ERRCODE = '54000';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM ${s}.vantage_workers WHERE worker_id = p_worker AND role = session_user) THEN
          RAISE EXCEPTION 'worker % has not announced itself', p_worker USING ERRCODE = '42501';
        END IF;
        EXECUTE 'UPDATE pgboss.job SET state = ''completed'', completed_on = now()
                  WHERE name = $1 AND id = $2 AND state = ''active''
                  RETURNING data'
          INTO job_data USING queue, p_job;
        IF job_data IS NULL THEN
          RETURN false;
        END IF;
        INSERT INTO ${s}.vantage_results (check_id, vantage, worker_id, job_id, written_by, result)
        VALUES ((job_data->>'checkId')::uuid, bound, p_worker, p_job, session_user, p_answer)
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS stored = ROW_COUNT;
        IF stored > 0 THEN
          PERFORM pg_notify('${ANSWER_CHANNEL}', (job_data->>'checkId') || ':' || bound);
        END IF;
        RETURN stored > 0;
      END $fn$;
    `);

    // Functions are executable by everyone unless revoked: only bound worker roles get them.
    for (const fn of ['smtp_check_bound_vantage()', ...WORKER_FUNCTIONS]) {
      await client.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    }

    // Roles made by earlier versions had direct grants on the queue and these tables: take them
    // back. Such a role is bound to no vantage until `worker-role ROLE --vantage NAME --update`.
    const { rows: earlier } = await client.query<{ grantee: string }>(
      `SELECT DISTINCT grantee::text AS grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'vantage_results'
          AND privilege_type = 'INSERT' AND grantee <> current_user`,
    );
    for (const { grantee } of earlier) await revokeDirectGrants(client, grantee);
  },
};
