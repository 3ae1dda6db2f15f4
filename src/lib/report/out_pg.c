/*
 * out_pg.c -- the PostGIS sink: -o PG:... and --pieces PG:... write a
 * report into tables through GDAL's PostgreSQL driver, in one transaction,
 * tagged with the run id and the shard (docs/scale-out.md, "PostGIS sink").
 *
 * The report is rendered as the JSON report first and stored whole in
 * redline_runs; PostgreSQL itself then spreads that JSON over the row
 * tables (INSERT ... SELECT from json), so the rows hold exactly the
 * figures of the JSON report and no second writer can drift from the
 * first.  The pieces go through an OGR layer (out_vector.c) on the same
 * connection, inside the same transaction.
 */
#include "report/report.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the tables and the view are; every statement may run again. */
static const char *const schema_sql[] = {
    "CREATE TABLE IF NOT EXISTS redline_runs ("
    " run_id text NOT NULL, shard integer NOT NULL, shard_count integer NOT NULL,"
    " command text NOT NULL, tool_version text NOT NULL, options text NOT NULL,"
    " created timestamptz NOT NULL DEFAULT now(), report json NOT NULL,"
    " PRIMARY KEY (run_id, shard))",
    "CREATE TABLE IF NOT EXISTS redline_footprints ("
    " run_id text NOT NULL, shard integer NOT NULL, file_ord integer NOT NULL,"
    " ord integer NOT NULL, id text, source text, fid bigint, area_m2 double precision,"
    " verdict text, repaired boolean, reasons jsonb, footprint jsonb NOT NULL)",
    "CREATE INDEX IF NOT EXISTS redline_footprints_run ON redline_footprints (run_id, shard)",
    "CREATE TABLE IF NOT EXISTS redline_hits ("
    " run_id text NOT NULL, shard integer NOT NULL, file_ord integer NOT NULL,"
    " footprint_ord integer NOT NULL, footprint_id text, control text NOT NULL,"
    " ord integer NOT NULL, fid bigint, overlap_m2 double precision, attrs jsonb,"
    " rule jsonb)",
    "CREATE INDEX IF NOT EXISTS redline_hits_run ON redline_hits (run_id, shard)",
    "CREATE TABLE IF NOT EXISTS redline_groups ("
    " run_id text NOT NULL, shard integer NOT NULL, ord integer NOT NULL, key text,"
    " features bigint, old_m2 double precision, new_m2 double precision,"
    " lost_m2 double precision, gained_m2 double precision, net_m2 double precision,"
    " area_m2 double precision, self_overlap_m2 double precision)",
    "CREATE INDEX IF NOT EXISTS redline_groups_run ON redline_groups (run_id, shard)",
    "CREATE TABLE IF NOT EXISTS redline_transitions ("
    " run_id text NOT NULL, shard integer NOT NULL, ord integer NOT NULL,"
    " from_value text, to_value text, area_m2 double precision)",
    "CREATE INDEX IF NOT EXISTS redline_transitions_run ON redline_transitions (run_id, shard)",
    "CREATE TABLE IF NOT EXISTS redline_files ("
    " run_id text NOT NULL, shard integer NOT NULL, ord integer NOT NULL, path text,"
    " status text, features bigint, problems jsonb)",
    "CREATE INDEX IF NOT EXISTS redline_files_run ON redline_files (run_id, shard)",
    /*
     * One row per run: the JSON report's figures, from the row tables and
     * summed over the shards present (a run of one shard gives back its
     * own figures exactly; float8 prints the shortest exact form).
     */
    "CREATE OR REPLACE VIEW redline_report AS "
    "SELECT r.run_id, min(r.command) AS command, count(*)::integer AS shards,"
    " max(r.shard_count) AS shard_count, min(r.created) AS created,"
    " CASE min(r.command)"
    " WHEN 'screen' THEN json_build_object('tool', 'redline', 'version', min(r.tool_version),"
    "  'command', 'screen', 'run_id', r.run_id,"
    "  'footprints', (SELECT coalesce(json_agg(f.footprint ORDER BY f.shard, f.ord), '[]')"
    "   FROM redline_footprints f WHERE f.run_id = r.run_id),"
    "  'summary', (SELECT json_build_object('footprints', count(*),"
    "   'pass', count(*) FILTER (WHERE f.verdict = 'pass'),"
    "   'warn', count(*) FILTER (WHERE f.verdict = 'warn'),"
    "   'conflict', count(*) FILTER (WHERE f.verdict = 'conflict'),"
    "   'error', count(*) FILTER (WHERE f.verdict = 'error'))"
    "   FROM redline_footprints f WHERE f.run_id = r.run_id))"
    " WHEN 'audit' THEN json_build_object('tool', 'redline', 'version', min(r.tool_version),"
    "  'command', 'audit', 'run_id', r.run_id,"
    "  'files', (SELECT coalesce(json_agg(json_build_object('path', x.path, 'status', x.status,"
    "   'features', x.features, 'problems', x.problems) ORDER BY x.shard, x.ord), '[]')"
    "   FROM redline_files x WHERE x.run_id = r.run_id),"
    "  'summary', (SELECT json_build_object('files', count(*),"
    "   'files_ok', count(*) FILTER (WHERE x.status = 'ok'),"
    "   'files_warn', count(*) FILTER (WHERE x.status = 'warn'),"
    "   'files_error', count(*) FILTER (WHERE x.status = 'error'),"
    "   'skipped', (SELECT sum((r2.report->'summary'->>'skipped')::bigint)"
    "    FROM redline_runs r2 WHERE r2.run_id = r.run_id),"
    "   'footprints', (SELECT count(*) FROM redline_footprints f WHERE f.run_id = r.run_id),"
    "   'pass', (SELECT count(*) FROM redline_footprints f WHERE f.run_id = r.run_id"
    "    AND f.verdict = 'pass'),"
    "   'warn', (SELECT count(*) FROM redline_footprints f WHERE f.run_id = r.run_id"
    "    AND f.verdict = 'warn'),"
    "   'conflict', (SELECT count(*) FROM redline_footprints f WHERE f.run_id = r.run_id"
    "    AND f.verdict = 'conflict'),"
    "   'error', (SELECT count(*) FROM redline_footprints f WHERE f.run_id = r.run_id"
    "    AND f.verdict = 'error'))"
    "   FROM redline_files x WHERE x.run_id = r.run_id))"
    " WHEN 'diff' THEN json_build_object('tool', 'redline', 'version', min(r.tool_version),"
    "  'command', 'diff', 'run_id', r.run_id,"
    "  'old_m2', sum((r.report->>'old_m2')::float8), 'new_m2', sum((r.report->>'new_m2')::float8),"
    "  'lost_m2', sum((r.report->>'lost_m2')::float8),"
    "  'gained_m2', sum((r.report->>'gained_m2')::float8),"
    "  'net_m2', sum((r.report->>'net_m2')::float8),"
    "  'verdict', CASE WHEN count(*) = 1 THEN min(r.report->>'verdict')"
    "   WHEN sum((r.report->>'net_m2')::float8) < -max((r.report->>'tolerance_m2')::float8)"
    "   THEN 'shrunk' ELSE 'not_shrunk' END,"
    "  'groups', (SELECT coalesce(json_agg(json_build_object('key', g.key, 'old_m2', g.old_m2,"
    "   'new_m2', g.new_m2, 'lost_m2', g.lost_m2, 'gained_m2', g.gained_m2, 'net_m2', g.net_m2)"
    "   ORDER BY g.first), '[]') FROM (SELECT key, min(shard * 1000000 + ord) AS first,"
    "   sum(old_m2) AS old_m2, sum(new_m2) AS new_m2, sum(lost_m2) AS lost_m2,"
    "   sum(gained_m2) AS gained_m2, sum(net_m2) AS net_m2 FROM redline_groups"
    "   WHERE run_id = r.run_id GROUP BY key) g),"
    "  'transitions', (SELECT coalesce(json_agg(json_build_object('from', t.from_value,"
    "   'to', t.to_value, 'area_m2', t.area_m2) ORDER BY t.first), '[]')"
    "   FROM (SELECT from_value, to_value, min(shard * 1000000 + ord) AS first,"
    "   sum(area_m2) AS area_m2 FROM redline_transitions WHERE run_id = r.run_id"
    "   GROUP BY from_value, to_value) t))"
    " WHEN 'area' THEN json_build_object('tool', 'redline', 'version', min(r.tool_version),"
    "  'command', 'area', 'run_id', r.run_id,"
    "  'features', sum((r.report->>'features')::bigint),"
    "  'area_m2', sum((r.report->>'area_m2')::float8),"
    "  'self_overlap_m2', sum((r.report->>'self_overlap_m2')::float8),"
    "  'groups', (SELECT coalesce(json_agg(json_build_object('key', g.key,"
    "   'features', g.features, 'area_m2', g.area_m2) ORDER BY g.first), '[]')"
    "   FROM (SELECT key, min(shard * 1000000 + ord) AS first, sum(features) AS features,"
    "   sum(area_m2) AS area_m2 FROM redline_groups WHERE run_id = r.run_id GROUP BY key) g))"
    " END AS report "
    "FROM redline_runs r GROUP BY r.run_id",
};

/* The row tables of a run, every one tagged (run_id, shard). */
static const char *const row_tables[] = {"redline_runs", "redline_footprints", "redline_hits",
                                         "redline_groups", "redline_transitions",
                                         "redline_files"};

/*
 * INSERT ... SELECT statements that spread the stored JSON report over the
 * row tables; "%1$s" is the run id literal, "%2$d" the shard.  Screen's
 * footprints are file 0; audit's are numbered by their file (1-based).
 */
static const char *const spread_sql[] = {
    "INSERT INTO redline_footprints SELECT r.run_id, r.shard, 0, (f.o - 1)::integer,"
    " f.x->>'id', f.x->>'source', (f.x->>'fid')::bigint, (f.x->>'area_m2')::float8,"
    " f.x->>'verdict', (f.x->>'repaired')::boolean, f.x->'reasons', f.x"
    " FROM redline_runs r, jsonb_array_elements(CASE WHEN jsonb_typeof(r.report::jsonb"
    "  ->'footprints') = 'array' THEN r.report::jsonb->'footprints' ELSE '[]' END)"
    "  WITH ORDINALITY AS f(x, o)"
    " WHERE r.run_id = %1$s AND r.shard = %2$d AND r.command = 'screen'",
    "INSERT INTO redline_files SELECT r.run_id, r.shard, (d.o - 1)::integer, d.x->>'path',"
    " d.x->>'status', (d.x->>'features')::bigint, d.x->'problems'"
    " FROM redline_runs r, jsonb_array_elements(r.report::jsonb->'files') WITH ORDINALITY"
    "  AS d(x, o) WHERE r.run_id = %1$s AND r.shard = %2$d AND r.command = 'audit'",
    "INSERT INTO redline_footprints SELECT r.run_id, r.shard, d.o::integer,"
    " (f.o - 1)::integer, f.x->>'id', d.x->>'path', (f.x->>'fid')::bigint,"
    " (f.x->>'area_m2')::float8, f.x->>'verdict', (f.x->>'repaired')::boolean,"
    " f.x->'reasons', f.x"
    " FROM redline_runs r, jsonb_array_elements(r.report::jsonb->'files') WITH ORDINALITY"
    "  AS d(x, o), jsonb_array_elements(CASE WHEN jsonb_typeof(d.x->'footprints') = 'array'"
    "  THEN d.x->'footprints' ELSE '[]' END) WITH ORDINALITY AS f(x, o)"
    " WHERE r.run_id = %1$s AND r.shard = %2$d AND r.command = 'audit'",
    "INSERT INTO redline_hits SELECT f.run_id, f.shard, f.file_ord, f.ord, f.id, c.key,"
    " (h.o - 1)::integer, (h.x->>'fid')::bigint, (h.x->>'overlap_m2')::float8,"
    " h.x->'attrs', h.x->'rule'"
    " FROM redline_footprints f, jsonb_each(CASE WHEN jsonb_typeof(f.footprint->'controls')"
    "  = 'object' THEN f.footprint->'controls' ELSE '{}' END) AS c(key, v),"
    "  jsonb_array_elements(CASE WHEN jsonb_typeof(c.v->'hits') = 'array' THEN c.v->'hits'"
    "  ELSE '[]' END) WITH ORDINALITY AS h(x, o)"
    " WHERE f.run_id = %1$s AND f.shard = %2$d",
    "INSERT INTO redline_groups SELECT r.run_id, r.shard, (g.o - 1)::integer, g.x->>'key',"
    " (g.x->>'features')::bigint, (g.x->>'old_m2')::float8, (g.x->>'new_m2')::float8,"
    " (g.x->>'lost_m2')::float8, (g.x->>'gained_m2')::float8, (g.x->>'net_m2')::float8,"
    " (g.x->>'area_m2')::float8, (g.x->>'self_overlap_m2')::float8"
    " FROM redline_runs r, jsonb_array_elements(CASE WHEN jsonb_typeof(r.report::jsonb"
    "  ->'groups') = 'array' THEN r.report::jsonb->'groups' ELSE '[]' END)"
    "  WITH ORDINALITY AS g(x, o) WHERE r.run_id = %1$s AND r.shard = %2$d",
    "INSERT INTO redline_transitions SELECT r.run_id, r.shard, (t.o - 1)::integer,"
    " t.x->>'from', t.x->>'to', (t.x->>'area_m2')::float8"
    " FROM redline_runs r, jsonb_array_elements(CASE WHEN jsonb_typeof(r.report::jsonb"
    "  ->'transitions') = 'array' THEN r.report::jsonb->'transitions' ELSE '[]' END)"
    "  WITH ORDINALITY AS t(x, o) WHERE r.run_id = %1$s AND r.shard = %2$d",
};

/* The sink of one connection while a report is written (ctx->pg_sink). */
struct rl_pg_sink {
    char *conn;         /* the connection string: secret, shown only redacted */
    GDALDatasetH ds;
    const char *run_id; /* borrowed from the options */
    int shard;
    int began;          /* a transaction is open */
};

/*
 * Appends s as an SQL literal: dollar-quoted with a tag that s does not
 * hold, so that no byte of s needs escaping whatever the server's
 * standard_conforming_strings says.
 */
static void sql_literal(rl_buf *b, const char *s)
{
    char tag[32] = "$rl$";
    for (unsigned k = 0; strstr(s, tag); k++)
        snprintf(tag, sizeof tag, "$rl%u$", k);
    rl_buf_puts(b, tag);
    rl_buf_puts(b, s);
    rl_buf_puts(b, tag);
}

/* Runs one statement in s's transaction; RL_OK or RL_ERR_OUTPUT (what, and GDAL's text). */
static rl_status exec_sql(rl_ctx *ctx, rl_pg_sink *s, const char *what, const char *sql)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(s->ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(s->ds, r);
    if (CPLGetLastErrorType() >= CE_Failure)
        return rl_fail(ctx, RL_ERR_OUTPUT, "%s: %s: %s", s->conn, what, CPLGetLastErrorMsg());
    return RL_OK;
}

/* Runs fmt with the run id literal as %1$s and the shard as %2$d. */
static rl_status exec_tagged(rl_ctx *ctx, rl_pg_sink *s, const char *what, const char *fmt)
{
    rl_buf id = {0}, sql = {0};
    sql_literal(&id, s->run_id);
    if (!id.oom)
        rl_buf_printf(&sql, fmt, id.s, s->shard);
    rl_status st = id.oom || sql.oom ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory")
                                     : exec_sql(ctx, s, what, sql.s);
    rl_buf_free(&id);
    rl_buf_free(&sql);
    return st;
}

void rl_pg_sink_free(rl_pg_sink *s)
{
    if (!s)
        return;
    if (s->ds) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        if (s->began)
            GDALDatasetRollbackTransaction(s->ds);
        GDALClose(s->ds);
        CPLPopErrorHandler();
    }
    free(s->conn);
    free(s);
}

rl_pg_sink *rl_pg_sink_open(rl_ctx *ctx, const char *conn, const char *run_id, int shard,
                            int all_tables)
{
    rl_pg_sink *s = calloc(1, sizeof *s);
    if (!s || !(s->conn = rl_strdup(conn))) {
        free(s);
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->run_id = run_id;
    s->shard = shard;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    static const char *const drivers[] = {"PostgreSQL", NULL};
    rl_status st = RL_OK;
    s->ds = GDALOpenEx(conn, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
    if (!s->ds) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot open for writing: %s", conn,
                     CPLGetLastErrorMsg());
        goto exit;
    }
    if (GDALDatasetStartTransaction(s->ds, FALSE) != OGRERR_NONE) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot start a transaction: %s", conn,
                     CPLGetLastErrorMsg());
        goto exit;
    }
    s->began = 1;
    /*
     * Shards of one run write at the same time: a lock held until this
     * transaction ends makes creating the tables, and replacing a shard's
     * rows, one writer at a time.
     */
    st = exec_sql(ctx, s, "cannot lock the redline tables",
                  "DO $$BEGIN PERFORM pg_advisory_xact_lock(hashtext('redline sink')); END$$");
    for (size_t i = 0; all_tables && !st && i < sizeof schema_sql / sizeof *schema_sql; i++)
        st = exec_sql(ctx, s, "cannot create the redline tables", schema_sql[i]);
    /* A re-run of this run id and shard replaces its own rows, and only those. */
    for (size_t i = 0; all_tables && !st && i < sizeof row_tables / sizeof *row_tables; i++) {
        char fmt[160];
        snprintf(fmt, sizeof fmt, "DELETE FROM %s WHERE run_id = %%1$s AND shard = %%2$d",
                 row_tables[i]);
        st = exec_tagged(ctx, s, "cannot replace the rows of an earlier run", fmt);
    }
    if (!st)
        st = exec_tagged(ctx, s, "cannot replace the pieces of an earlier run",
                         "DO $$BEGIN IF to_regclass('redline_pieces') IS NOT NULL THEN "
                         "DELETE FROM redline_pieces WHERE run_id = %1$s AND shard = %2$d; "
                         "END IF; END$$");
exit:
    CPLPopErrorHandler();
    if (st) {
        rl_pg_sink_free(s);
        return NULL;
    }
    return s;
}

rl_status rl_pg_sink_report(rl_ctx *ctx, rl_pg_sink *s, const rl_common_opts *c,
                            const char *json)
{
    rl_buf sql = {0}, id = {0};
    rl_status st = RL_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    /* The command as the JSON report names it: the view reads it per run. */
    const char *k = strstr(json, "\"command\": \"");
    char cmd[16] = "";
    if (k)
        sscanf(k + 12, "%15[a-z]", cmd);
    sql_literal(&id, s->run_id);
    rl_buf_printf(&sql, "INSERT INTO redline_runs (run_id, shard, shard_count, command, "
                        "tool_version, options, report) VALUES (%s, %d, %d, ",
                  id.s ? id.s : "", s->shard, c->shard_count);
    sql_literal(&sql, cmd);
    rl_buf_puts(&sql, ", ");
    sql_literal(&sql, rl_version());
    rl_buf_puts(&sql, ", ");
    sql_literal(&sql, c->command_line ? c->command_line : "");
    rl_buf_puts(&sql, ", ");
    sql_literal(&sql, json);
    rl_buf_puts(&sql, ")");
    if (sql.oom || id.oom) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto exit;
    }
    st = exec_sql(ctx, s, "cannot write the run", sql.s);
    for (size_t i = 0; !st && i < sizeof spread_sql / sizeof *spread_sql; i++)
        st = exec_tagged(ctx, s, "cannot write the report's rows", spread_sql[i]);
exit:
    CPLPopErrorHandler();
    rl_buf_free(&sql);
    rl_buf_free(&id);
    return st;
}

rl_status rl_pg_sink_commit(rl_ctx *ctx, rl_pg_sink *s)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    rl_status st = RL_OK;
    if (GDALDatasetCommitTransaction(s->ds) != OGRERR_NONE ||
        CPLGetLastErrorType() >= CE_Failure)
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot commit: %s", s->conn,
                     CPLGetLastErrorMsg());
    else
        s->began = 0;
    CPLPopErrorHandler();
    return st;
}

GDALDatasetH rl_pg_sink_dataset(const rl_pg_sink *s, const char **run_id, int *shard)
{
    *run_id = s->run_id;
    *shard = s->shard;
    return s->ds;
}

const char *rl_pg_sink_conn(const rl_pg_sink *s) { return s->conn; }
