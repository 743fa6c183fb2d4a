/**
 * The migration steps in PostgreSQL's dialect, as literal SQL (house style 8,
 * as langgraphjs's checkpointers keep theirs). A released step is frozen: it is
 * never edited nor rebuilt from today's table catalogue, because databases in
 * the field already ran it. A schema change is a new step at the end, written
 * here and in sqlite.ts, and listed in ../migrations.ts.
 *
 * JSON is jsonb so dashboards can query into it; counts that can outgrow 2^31
 * are bigint (read back as numbers, see postgres-connection.ts). Steps 1 and 2
 * are byte for byte what the former generator produced.
 */

/** Step 1: core: sessions, documents, tables, sync runs. Released: frozen. */
export const step1 = `
      CREATE TABLE sessions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text NOT NULL,
        created_at timestamptz,
        first_seen_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (root, session_id)
      );

      CREATE TABLE documents (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        path text NOT NULL,
        session_id text,
        document_type text NOT NULL,
        format text NOT NULL,
        size_bytes bigint NOT NULL,
        mtime_ms double precision NOT NULL,
        content_hash text,
        parsed_hash text,
        word_count integer,
        footnote_count integer,
        table_count integer,
        json jsonb,
        diagnostics jsonb NOT NULL DEFAULT '[]',
        status text NOT NULL CHECK (status IN ('ok', 'error')),
        error text,
        error_line integer,
        instance text NOT NULL,
        applied_at timestamptz,
        checked_at timestamptz NOT NULL,
        UNIQUE (root, path),
        FOREIGN KEY (root, session_id) REFERENCES sessions (root, session_id) ON DELETE CASCADE
      );
      CREATE INDEX documents_session ON documents (root, session_id);
      CREATE INDEX documents_status ON documents (status) WHERE status = 'error';

      CREATE TABLE document_tables (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        heading_path jsonb NOT NULL,
        headers jsonb NOT NULL,
        raw_headers jsonb NOT NULL,
        line integer NOT NULL,
        end_line integer NOT NULL,
        row_count integer NOT NULL,
        UNIQUE (document_id, ordinal)
      );

      CREATE TABLE document_table_rows (
        table_id bigint NOT NULL REFERENCES document_tables (id) ON DELETE CASCADE,
        row_index integer NOT NULL,
        cells jsonb NOT NULL,
        raw_cells jsonb NOT NULL,
        line integer NOT NULL,
        PRIMARY KEY (table_id, row_index)
      );

      CREATE TABLE sync_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        instance text NOT NULL,
        mode text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        files_seen integer NOT NULL,
        files_applied integer NOT NULL,
        files_unchanged integer NOT NULL,
        files_removed integer NOT NULL,
        files_failed integer NOT NULL
      );
      CREATE INDEX sync_runs_root ON sync_runs (root, id);
    `

/** Step 2: typed session state: session columns, fields, session facts, typed tables. Released: frozen. */
export const step2 = `
      ALTER TABLE sessions ADD COLUMN matter_name text;
      ALTER TABLE sessions ADD COLUMN deal_value double precision;
      ALTER TABLE sessions ADD COLUMN deal_value_low double precision;
      ALTER TABLE sessions ADD COLUMN deal_value_high double precision;
      ALTER TABLE sessions ADD COLUMN deal_value_raw text;
      ALTER TABLE sessions ADD COLUMN closing_date text;
      ALTER TABLE sessions ADD COLUMN closing_date_precision text;
      ALTER TABLE sessions ADD COLUMN closing_date_raw text;
      ALTER TABLE sessions ADD COLUMN acquirer text;
      ALTER TABLE sessions ADD COLUMN target text;
      ALTER TABLE sessions ADD COLUMN transaction_type text;
      ALTER TABLE sessions ADD COLUMN complexity text;
      ALTER TABLE sessions ADD COLUMN status text NOT NULL DEFAULT 'active';
      ALTER TABLE sessions ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}';
      ALTER TABLE documents ADD COLUMN typed_kind text;

      CREATE TABLE document_fields (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        heading_path jsonb NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        raw text NOT NULL,
        style text NOT NULL,
        line integer NOT NULL
      );
      CREATE INDEX document_fields_document ON document_fields (document_id);
      CREATE INDEX document_fields_key ON document_fields (key);

      CREATE TABLE session_facts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text NOT NULL,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        precedence integer NOT NULL,
        line integer,
        matter_name text,
        deal_value double precision,
        deal_value_low double precision,
        deal_value_high double precision,
        deal_value_raw text,
        closing_date text,
        closing_date_precision text,
        closing_date_raw text,
        acquirer text,
        target text,
        transaction_type text,
        complexity text,
        metadata jsonb NOT NULL
      );
      CREATE INDEX session_facts_session ON session_facts (root, session_id);
      CREATE INDEX session_facts_document ON session_facts (document_id);

      CREATE TABLE session_phases (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        phase text,
        status text,
        status_raw text,
        start_time text,
        end_time text,
        duration_ms bigint,
        agent text,
        notes text,
        extra jsonb,
        raw text
      );
      CREATE INDEX session_phases_document ON session_phases (document_id);
      CREATE INDEX session_phases_session ON session_phases (root, session_id);

      CREATE TABLE session_iterations (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        gate_name text,
        current_iteration bigint,
        max_iterations bigint,
        extra jsonb,
        raw text
      );
      CREATE INDEX session_iterations_document ON session_iterations (document_id);
      CREATE INDEX session_iterations_session ON session_iterations (root, session_id);

      CREATE TABLE deal_blocking_warnings (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        warning text,
        severity text,
        status text,
        extra jsonb,
        raw text
      );
      CREATE INDEX deal_blocking_warnings_document ON deal_blocking_warnings (document_id);
      CREATE INDEX deal_blocking_warnings_session ON deal_blocking_warnings (root, session_id);

      CREATE TABLE expected_sections (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        section_id text,
        section_name text,
        primary_report text,
        secondary_reports text,
        coverage text,
        coverage_status text,
        extra jsonb,
        raw text
      );
      CREATE INDEX expected_sections_document ON expected_sections (document_id);
      CREATE INDEX expected_sections_session ON expected_sections (root, session_id);

      CREATE TABLE extracted_facts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        category text,
        fact text,
        value text,
        value_number double precision,
        value_low double precision,
        value_high double precision,
        value_date text,
        value_date_precision text,
        source_report text,
        section text,
        confidence text,
        extra jsonb,
        raw text
      );
      CREATE INDEX extracted_facts_document ON extracted_facts (document_id);
      CREATE INDEX extracted_facts_session ON extracted_facts (root, session_id);

      CREATE TABLE execution_inventory (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        specialist_id text,
        report_file text,
        word_count bigint,
        word_count_raw text,
        complete text,
        domains text,
        gaps text,
        extra jsonb,
        raw text
      );
      CREATE INDEX execution_inventory_document ON execution_inventory (document_id);
      CREATE INDEX execution_inventory_session ON execution_inventory (root, session_id);

      CREATE TABLE quantified_exposures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        category text,
        exposure_id text,
        finding text,
        gross_exposure_raw text,
        gross_low double precision,
        gross_high double precision,
        probability_raw text,
        probability_low double precision,
        probability_high double precision,
        weighted_raw text,
        weighted_low double precision,
        weighted_high double precision,
        method text,
        source_report text,
        timeline text,
        extra jsonb,
        raw text
      );
      CREATE INDEX quantified_exposures_document ON quantified_exposures (document_id);
      CREATE INDEX quantified_exposures_session ON quantified_exposures (root, session_id);

      CREATE TABLE research_plans (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        query_text text,
        complexity text,
        transaction_value double precision,
        transaction_value_raw text,
        transaction_type text,
        output_targets jsonb,
        created text,
        extra jsonb,
        raw text
      );
      CREATE INDEX research_plans_document ON research_plans (document_id);
      CREATE INDEX research_plans_session ON research_plans (root, session_id);

      CREATE TABLE legal_domains (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        ordinal text,
        domain text,
        scope text,
        priority text,
        extra jsonb,
        raw text
      );
      CREATE INDEX legal_domains_document ON legal_domains (document_id);
      CREATE INDEX legal_domains_session ON legal_domains (root, session_id);

      CREATE TABLE critical_issues (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        ordinal text,
        issue text,
        domain text,
        why_critical text,
        expected_exposure_raw text,
        exposure_low double precision,
        exposure_high double precision,
        extra jsonb,
        raw text
      );
      CREATE INDEX critical_issues_document ON critical_issues (document_id);
      CREATE INDEX critical_issues_session ON critical_issues (root, session_id);

      CREATE TABLE specialist_assignments (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        task_id text,
        specialist_type text,
        task_description text,
        execution_mode text,
        priority text,
        status text,
        status_raw text,
        extra jsonb,
        raw text
      );
      CREATE INDEX specialist_assignments_document ON specialist_assignments (document_id);
      CREATE INDEX specialist_assignments_session ON specialist_assignments (root, session_id);

      CREATE TABLE refinement_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        entry_time text,
        entry text,
        reason text,
        extra jsonb,
        raw text
      );
      CREATE INDEX refinement_log_document ON refinement_log (document_id);
      CREATE INDEX refinement_log_session ON refinement_log (root, session_id);

      CREATE TABLE fact_registry (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        fact_category text,
        fact_id text,
        fact_name text,
        canonical_value text,
        value_number double precision,
        value_low double precision,
        value_high double precision,
        value_date text,
        value_date_precision text,
        source_reports text,
        source_location text,
        confidence text,
        notes text,
        extra jsonb,
        raw text
      );
      CREATE INDEX fact_registry_document ON fact_registry (document_id);
      CREATE INDEX fact_registry_session ON fact_registry (root, session_id);

      CREATE TABLE fact_conflicts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        conflict_id text,
        fact_name text,
        conflicting_values text,
        sources text,
        resolution text,
        canonical_value text,
        severity text,
        status text,
        extra jsonb,
        raw text
      );
      CREATE INDEX fact_conflicts_document ON fact_conflicts (document_id);
      CREATE INDEX fact_conflicts_session ON fact_conflicts (root, session_id);

      CREATE TABLE coverage_gaps (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        gap_id text,
        description text,
        domain text,
        severity text,
        status text,
        recommendation text,
        extra jsonb,
        raw text
      );
      CREATE INDEX coverage_gaps_document ON coverage_gaps (document_id);
      CREATE INDEX coverage_gaps_session ON coverage_gaps (root, session_id);

      CREATE TABLE synthesis_state (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        current_phase text,
        status text,
        last_completed_step text,
        sections_completed jsonb,
        sections_pending jsonb,
        last_updated text,
        next_action text,
        critical_context text,
        blocking_issue text,
        document jsonb,
        extra jsonb,
        raw text
      );
      CREATE INDEX synthesis_state_document ON synthesis_state (document_id);
      CREATE INDEX synthesis_state_session ON synthesis_state (root, session_id);

      CREATE TABLE agent_states (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        agent text,
        version text,
        status text,
        current_phase text,
        started_at text,
        last_updated text,
        compaction_summary text,
        recovery_instructions text,
        phases jsonb,
        document jsonb,
        extra jsonb,
        raw text
      );
      CREATE INDEX agent_states_document ON agent_states (document_id);
      CREATE INDEX agent_states_session ON agent_states (root, session_id);

      CREATE TABLE risk_summary (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        total_gross_exposure double precision,
        total_weighted_exposure double precision,
        risk_count bigint,
        highest_severity text,
        recommendation text,
        document jsonb,
        extra jsonb,
        raw text
      );
      CREATE INDEX risk_summary_document ON risk_summary (document_id);
      CREATE INDEX risk_summary_session ON risk_summary (root, session_id);

      CREATE TABLE risk_items (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        risk_id text,
        title text,
        category text,
        severity text,
        probability double precision,
        gross_exposure double precision,
        weighted_exposure double precision,
        source text,
        extra jsonb,
        raw text
      );
      CREATE INDEX risk_items_document ON risk_items (document_id);
      CREATE INDEX risk_items_session ON risk_items (root, session_id);
    `

/**
 * Step 3: the change log, one row per committed file change, so a listener
 * that was away can resume from a seq. An identity never hands out a value
 * twice; the store takes a lock before inserting so seqs also commit in order.
 */
export const step3 = `
      CREATE TABLE change_log (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        path text,
        change text NOT NULL CHECK (change IN ('created', 'updated', 'removed')),
        status text CHECK (status IN ('ok', 'error')),
        instance text NOT NULL,
        at timestamptz NOT NULL
      );
      CREATE INDEX change_log_root ON change_log (root, seq);
      CREATE INDEX change_log_at ON change_log (at);
    `

/**
 * Step 4: feed cursors, one row per consumer of the change log that runs in
 * the daemon (the Redis mirror): the last seq it delivered, so an outage of
 * its target is lag that the next start resumes, never a loss.
 */
export const step4 = `
      CREATE TABLE feed_cursors (
        name text PRIMARY KEY,
        seq bigint NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `

/**
 * Step 5: the API's session list pages newest first on (updated_at, session_id,
 * root), comparing ids bytewise (COLLATE "C", as SQLite does); this index
 * lets a page read its rows in order instead of sorting every session.
 */
export const step5 = `
      CREATE INDEX sessions_updated ON sessions (updated_at DESC, session_id COLLATE "C", root COLLATE "C");
    `

/**
 * Step 6: history. Every applied version of every file is a revision; each
 * distinct content is stored once (`history_blobs`), as a full copy (gzip at
 * or above the compression threshold) or as a delta against an earlier
 * content. A removal leaves a tombstone revision that names the content the
 * file last had. `ordinal` numbers a file's revisions 1, 2, 3… and never
 * changes, so thinning old revisions to every Nth keeps the same ones on every run.
 * `archived_sessions` lists the sessions `cleanup` archived: the sync leaves
 * their directories alone until `import` brings them back. The blob column is STORAGE EXTERNAL: what it holds is
 * already compressed, and TOAST would only try again. See README "History".
 */
export const step6 = `
      CREATE TABLE history_blobs (
        content_hash text PRIMARY KEY,
        size_bytes bigint NOT NULL,
        encoding text NOT NULL CHECK (encoding IN ('identity', 'gzip')),
        base_hash text REFERENCES history_blobs (content_hash),
        depth integer NOT NULL,
        stored_bytes bigint NOT NULL,
        data bytea NOT NULL,
        created_at timestamptz NOT NULL
      );
      ALTER TABLE history_blobs ALTER COLUMN data SET STORAGE EXTERNAL;
      CREATE INDEX history_blobs_base ON history_blobs (base_hash) WHERE base_hash IS NOT NULL;
      CREATE TABLE file_revisions (
        rev bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        path text NOT NULL,
        ordinal integer NOT NULL,
        session_id text,
        change text NOT NULL CHECK (change IN ('created', 'updated', 'removed', 'restored')),
        content_hash text REFERENCES history_blobs (content_hash),
        size_bytes bigint,
        status text CHECK (status IN ('ok', 'error')),
        at timestamptz NOT NULL,
        instance text NOT NULL
      );
      CREATE INDEX file_revisions_path ON file_revisions (root, path, rev);
      CREATE INDEX file_revisions_session ON file_revisions (root, session_id, rev);
      CREATE INDEX file_revisions_at ON file_revisions (at);
      CREATE INDEX file_revisions_content ON file_revisions (content_hash);
      CREATE TABLE archived_sessions (
        root text NOT NULL,
        session_id text NOT NULL,
        archive text NOT NULL,
        files_deleted boolean NOT NULL,
        archived_at timestamptz NOT NULL,
        PRIMARY KEY (root, session_id)
      );
    `

/**
 * Step 7: status from evidence (issue 11). Sessions say why they have their
 * status (`status_reason`, `error_files`: the state files in error with line
 * and reason), `degraded` replaces `error`, and `created_at` comes from the
 * content when a plan or state file states it, with the name's value kept in
 * `created_at_from_name` and the choice in `created_at_source`. Specialist
 * assignments keep the plan's mark in `status` and get a derived status beside
 * it. Rows written before this step have a null `status_reason`; the store
 * derives them again when it opens with migrations on.
 */
export const step7 = `
      ALTER TABLE sessions ADD COLUMN status_reason text;
      ALTER TABLE sessions ADD COLUMN error_files jsonb NOT NULL DEFAULT '[]';
      ALTER TABLE sessions ADD COLUMN created_at_from_name timestamptz;
      ALTER TABLE sessions ADD COLUMN created_at_source text;
      UPDATE sessions SET created_at_from_name = created_at,
        created_at_source = CASE WHEN created_at IS NULL THEN NULL ELSE 'name' END,
        status = CASE WHEN status = 'error' THEN 'degraded' ELSE status END;
      ALTER TABLE specialist_assignments ADD COLUMN derived_status text;
      ALTER TABLE specialist_assignments ADD COLUMN status_evidence text;
      ALTER TABLE specialist_assignments ADD COLUMN evidence_path text;
      CREATE INDEX sessions_unexplained ON sessions (root, session_id) WHERE status_reason IS NULL;
    `

/**
 * QA assessments, remediation tasks (with a derived status beside the plan's mark, from the
 * remediation outputs that report completion), and session usage with its per-session sums.
 */
export const step8 = `
      CREATE TABLE qa_assessments (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        assessment_type text,
        pass bigint,
        overall_score double precision,
        score_raw text,
        max_score double precision,
        quality_tier text,
        status text,
        certification text,
        certification_raw text,
        assessed_at text,
        issue_count bigint,
        issues jsonb,
        dimensions jsonb,
        extra jsonb,
        raw text
      );
      CREATE INDEX qa_assessments_document ON qa_assessments (document_id);
      CREATE INDEX qa_assessments_session ON qa_assessments (root, session_id);

      CREATE TABLE remediation_tasks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        task_id text,
        wave bigint,
        task_type text,
        agent text,
        target_document text,
        description text,
        priority text,
        status text,
        status_raw text,
        output_path text,
        completed_at text,
        derived_status text,
        status_evidence text,
        evidence_path text,
        extra jsonb,
        raw text
      );
      CREATE INDEX remediation_tasks_document ON remediation_tasks (document_id);
      CREATE INDEX remediation_tasks_session ON remediation_tasks (root, session_id);

      CREATE TABLE remediation_outputs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        output_name text,
        reports_complete bigint,
        statement text,
        completed_at text,
        extra jsonb,
        raw text
      );
      CREATE INDEX remediation_outputs_document ON remediation_outputs (document_id);
      CREATE INDEX remediation_outputs_session ON remediation_outputs (root, session_id);

      CREATE TABLE session_usage (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        source text,
        agent text,
        model text,
        input_tokens bigint,
        output_tokens bigint,
        cache_read_tokens bigint,
        cache_creation_tokens bigint,
        total_tokens bigint,
        turns bigint,
        tool_calls bigint,
        duration_ms bigint,
        cost_usd double precision,
        extra jsonb,
        raw text
      );
      CREATE INDEX session_usage_document ON session_usage (document_id);
      CREATE INDEX session_usage_session ON session_usage (root, session_id);

      -- What each session's runs cost, summed over the per-file rows. A stated total wins; else input, output and cache tokens add up.
      CREATE VIEW session_usage_totals AS
        SELECT root, session_id, count(DISTINCT document_id) AS files, count(*) AS records,
          sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
          sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_creation_tokens)::bigint AS cache_creation_tokens,
          sum(coalesce(total_tokens, input_tokens + output_tokens + coalesce(cache_read_tokens, 0) + coalesce(cache_creation_tokens, 0)))::bigint AS total_tokens,
          sum(turns)::bigint AS turns, sum(tool_calls)::bigint AS tool_calls, sum(duration_ms)::bigint AS duration_ms, sum(cost_usd) AS cost_usd
        FROM session_usage WHERE session_id IS NOT NULL GROUP BY root, session_id;
    `

/**
 * Step 9: duplicates (issue 11). A fact, conflict or gap told more than once
 * in one file is one row counting its tellings (`occurrences`; rows written
 * before this step count 1 until their file is parsed again). `fact_key` and
 * `conflict_key` are the parser's keys of a fact's and a conflict's name.
 * The views `session_conflicts` (one row per conflict of a session, linked
 * across the files that restate it) and `canonical_facts` (one row per fact
 * of a session, by document precedence) read them.
 */
export const step9 = `
      ALTER TABLE fact_registry ADD COLUMN occurrences bigint DEFAULT 1;
      ALTER TABLE fact_registry ADD COLUMN fact_key text;
      ALTER TABLE extracted_facts ADD COLUMN occurrences bigint DEFAULT 1;
      ALTER TABLE extracted_facts ADD COLUMN fact_key text;
      ALTER TABLE fact_conflicts ADD COLUMN occurrences bigint DEFAULT 1;
      ALTER TABLE fact_conflicts ADD COLUMN conflict_key text;
      ALTER TABLE coverage_gaps ADD COLUMN occurrences bigint DEFAULT 1;

      -- Paths order bytewise (COLLATE "C"), as SQLite orders them, so both dialects pick the same row.
      -- One row per conflict of a session, however many files tell it: the telling of the file that ranks first
      -- (conflict report, then fact registry, then coverage gaps, then path and line), with how many documents
      -- and tellings restate it and their paths.
      CREATE VIEW session_conflicts AS
        WITH told AS (
          SELECT c.*, d.path, d.document_type,
            CASE d.document_type WHEN 'conflict_report' THEN 1 WHEN 'fact_registry' THEN 2 WHEN 'coverage_gaps' THEN 3 ELSE 4 END AS precedence
          FROM fact_conflicts c JOIN documents d ON d.id = c.document_id
          WHERE c.session_id IS NOT NULL AND c.conflict_key IS NOT NULL
        ),
        ranked AS (
          SELECT told.*, row_number() OVER (PARTITION BY root, session_id, conflict_key ORDER BY precedence, path COLLATE "C", line, id) AS rank
          FROM told
        ),
        per_document AS (
          SELECT root, session_id, conflict_key, path, sum(coalesce(occurrences, 1)) AS tellings
          FROM told GROUP BY root, session_id, conflict_key, path
        ),
        linked AS (
          SELECT root, session_id, conflict_key, count(*) AS documents, CAST(sum(tellings) AS bigint) AS tellings,
            string_agg(path, '; ' ORDER BY path COLLATE "C") AS paths
          FROM per_document GROUP BY root, session_id, conflict_key
        )
        SELECT r.root, r.session_id, r.conflict_key, r.id AS conflict_row_id, r.conflict_id, r.fact_name, r.conflicting_values,
          r.sources, r.resolution, r.canonical_value, r.severity, r.status, r.document_type, r.path, r.line,
          l.documents, l.tellings, l.paths
        FROM ranked r JOIN linked l ON l.root = r.root AND l.session_id = r.session_id AND l.conflict_key = r.conflict_key
        WHERE r.rank = 1;

      -- One row per fact of a session, from the fact registry and the orchestrator's extracted facts: the telling of
      -- the document that ranks first (fact registry, then orchestrator state, then path and line), with how many
      -- rows and tellings state a fact of that name (more rows than one may mean values that disagree).
      CREATE VIEW canonical_facts AS
        WITH told AS (
          SELECT f.root, f.session_id, f.fact_key, 'fact_registry' AS source_table, f.id AS row_id, f.fact_category AS category,
            f.fact_name, f.canonical_value AS value, f.value_number, f.value_low, f.value_high, f.value_date, f.value_date_precision,
            f.source_reports AS source_reports, f.confidence, f.occurrences, d.document_type, d.path, f.line
          FROM fact_registry f JOIN documents d ON d.id = f.document_id
          WHERE f.session_id IS NOT NULL AND f.fact_key IS NOT NULL
          UNION ALL
          SELECT e.root, e.session_id, e.fact_key, 'extracted_facts', e.id, e.category,
            e.fact, e.value, e.value_number, e.value_low, e.value_high, e.value_date, e.value_date_precision,
            e.source_report, e.confidence, e.occurrences, d.document_type, d.path, e.line
          FROM extracted_facts e JOIN documents d ON d.id = e.document_id
          WHERE e.session_id IS NOT NULL AND e.fact_key IS NOT NULL
        ),
        ranked AS (
          SELECT told.*,
            row_number() OVER (
              PARTITION BY root, session_id, fact_key
              ORDER BY CASE document_type WHEN 'fact_registry' THEN 1 WHEN 'orchestrator_state' THEN 2 ELSE 3 END, path COLLATE "C", line, row_id
            ) AS rank,
            count(*) OVER (PARTITION BY root, session_id, fact_key) AS candidates,
            CAST(sum(coalesce(occurrences, 1)) OVER (PARTITION BY root, session_id, fact_key) AS bigint) AS tellings
          FROM told
        )
        SELECT root, session_id, fact_key, fact_name, category, value, value_number, value_low, value_high, value_date,
          value_date_precision, source_reports, confidence, source_table, row_id, document_type, path, line, candidates, tellings
        FROM ranked WHERE rank = 1;
    `

/**
 * Step 10: which parser version read each document (src/parsers/version.ts).
 * Rows written before it count as version 1, so the first sync of a newer
 * build reads their files again.
 */
export const step10 = `
      ALTER TABLE documents ADD COLUMN parser_version integer NOT NULL DEFAULT 1;
    `

/** Step 11: a risk a summary lists twice is one row counting its tellings (issue 11, duplicates). */
export const step11 = `
      ALTER TABLE risk_items ADD COLUMN occurrences bigint DEFAULT 1;
    `

/**
 * Step 12: a smaller database with the same information (issue 12); see
 * step 12 in sqlite.ts for the whole story. Here the columns change in place
 * (SQLite has to rebuild its tables): `heading_path` goes, `section_id`
 * comes; `raw` and `raw_cells` may be null; `raw_prefix` and `raw_form`
 * come, last; `cells` becomes an array. jsonb keeps no key order, so cells
 * are put in the order of the table's headers, and the keys beyond them
 * (`column_N`, N the column) in the order of N.
 *
 * Views as in SQLite, with jsonb: document_section_paths,
 * document_fields_with_path, document_tables_with_path,
 * document_table_rows_with_cells.
 */
export const step12 = `
      CREATE TABLE document_sections (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        parent_id bigint,
        depth integer NOT NULL,
        title text NOT NULL,
        line integer,
        UNIQUE (document_id, ordinal)
      );

      -- Every heading path the old rows name, each prefix of it, and the first line under it.
      CREATE TEMP TABLE step12_prefixes AS
        WITH named AS (
          SELECT document_id, heading_path, min(line) AS line FROM (
            SELECT document_id, heading_path, line FROM document_fields
            UNION ALL SELECT document_id, heading_path, line FROM document_tables) x
          WHERE heading_path <> '[]'::jsonb GROUP BY document_id, heading_path
        )
        SELECT n.document_id, n.heading_path, n.line, k.depth,
          (SELECT jsonb_agg(e.value ORDER BY e.i) FROM jsonb_array_elements(n.heading_path) WITH ORDINALITY e(value, i) WHERE e.i <= k.depth) AS prefix,
          (SELECT jsonb_agg(e.value ORDER BY e.i) FROM jsonb_array_elements(n.heading_path) WITH ORDINALITY e(value, i) WHERE e.i < k.depth) AS parent_prefix
        FROM named n CROSS JOIN LATERAL generate_series(1, jsonb_array_length(n.heading_path)) AS k(depth);
      CREATE TEMP TABLE step12_sections AS
        SELECT document_id, prefix, parent_prefix, depth, prefix ->> (depth - 1) AS title,
          row_number() OVER (PARTITION BY document_id ORDER BY min(line), depth) - 1 AS ordinal
        FROM step12_prefixes GROUP BY document_id, prefix, parent_prefix, depth;
      CREATE INDEX step12_sections_prefix ON step12_sections (document_id, prefix);
      CREATE INDEX step12_sections_ordinal ON step12_sections (document_id, ordinal);
      INSERT INTO document_sections (document_id, ordinal, depth, title)
        SELECT document_id, ordinal, depth, title FROM step12_sections ORDER BY document_id, ordinal;
      UPDATE document_sections s SET parent_id = p.id
        FROM step12_sections c
        JOIN step12_sections pc ON pc.document_id = c.document_id AND pc.prefix = c.parent_prefix
        JOIN document_sections p ON p.document_id = pc.document_id AND p.ordinal = pc.ordinal
        WHERE c.document_id = s.document_id AND c.ordinal = s.ordinal;
      CREATE TEMP TABLE step12_path_sections AS
        SELECT x.document_id, x.heading_path, s.id AS section_id
        FROM step12_prefixes x
        JOIN step12_sections c ON c.document_id = x.document_id AND c.prefix = x.prefix
        JOIN document_sections s ON s.document_id = c.document_id AND s.ordinal = c.ordinal
        WHERE x.depth = jsonb_array_length(x.heading_path);
      CREATE INDEX step12_path_sections_path ON step12_path_sections (document_id, heading_path);

      ALTER TABLE document_fields ADD COLUMN section_id bigint, ADD COLUMN raw_prefix text, ADD COLUMN raw_form smallint;
      ALTER TABLE document_fields ALTER COLUMN raw DROP NOT NULL;
      -- As in SQLite: a raw line is rebuilt by the first form it ends with, the usual one of its
      -- style or the colon after the bold, when the prefix and the form give it back exactly.
      UPDATE document_fields f SET
        section_id = (SELECT p.section_id FROM step12_path_sections p WHERE p.document_id = f.document_id AND p.heading_path = f.heading_path),
        raw = CASE WHEN x.form IS NULL THEN f.raw END,
        raw_prefix = CASE x.form WHEN 0 THEN nullif(x.usual_prefix, '') WHEN 1 THEN nullif(x.after_prefix, '') END,
        raw_form = nullif(x.form, 0)
        FROM (
          SELECT id, usual_prefix, after_prefix,
            CASE WHEN usual_prefix || usual_form = raw THEN 0 WHEN after_prefix || after_form = raw THEN 1 END AS form
          FROM (
            SELECT id, raw, usual_form, after_form,
              left(raw, length(raw) - length(usual_form)) AS usual_prefix,
              left(raw, length(raw) - length(after_form)) AS after_prefix
            FROM (
              SELECT id, raw,
                CASE style
                  WHEN 'bold' THEN CASE WHEN value = '' THEN '**' || key || ':**' ELSE '**' || key || ':** ' || value END
                  WHEN 'title' THEN '**' || key || '**'
                  WHEN 'bullet' THEN key || ': ' || value
                END AS usual_form,
                CASE WHEN style = 'bold' THEN
                  CASE WHEN value = '' THEN '**' || key || '**:' ELSE '**' || key || '**: ' || value END
                END AS after_form
              FROM document_fields) b) c) x
        WHERE x.id = f.id;
      ALTER TABLE document_fields DROP COLUMN heading_path;
      DROP INDEX document_fields_key;

      ALTER TABLE document_tables ADD COLUMN section_id bigint;
      UPDATE document_tables t SET
        section_id = (SELECT p.section_id FROM step12_path_sections p WHERE p.document_id = t.document_id AND p.heading_path = t.heading_path);
      ALTER TABLE document_tables DROP COLUMN heading_path;

      -- Cells in header order, then the keys beyond the headers by their column number.
      ALTER TABLE document_table_rows ADD COLUMN cell_keys jsonb;
      ALTER TABLE document_table_rows ALTER COLUMN raw_cells DROP NOT NULL;
      UPDATE document_table_rows r SET
        cells = coalesce((
          SELECT jsonb_agg(r.cells -> h.name ORDER BY h.i) FROM jsonb_array_elements_text(t.headers) WITH ORDINALITY h(name, i)), '[]'::jsonb)
          || coalesce((
          SELECT jsonb_agg(c.value ORDER BY substring(c.key FROM '^column_([0-9]+)')::integer, c.key)
          FROM jsonb_each(r.cells) c WHERE NOT t.headers ? c.key), '[]'::jsonb),
        cell_keys = (
          SELECT jsonb_agg(c.key ORDER BY substring(c.key FROM '^column_([0-9]+)')::integer, c.key)
          FROM jsonb_each(r.cells) c WHERE NOT t.headers ? c.key)
        FROM document_tables t WHERE t.id = r.table_id;
      UPDATE document_table_rows SET raw_cells = CASE
          WHEN jsonb_array_length(raw_cells) = jsonb_array_length(cells)
            AND NOT EXISTS (
              SELECT 1 FROM jsonb_array_elements_text(raw_cells) WITH ORDINALITY x(value, i) WHERE x.value IS DISTINCT FROM cells ->> (x.i::integer - 1))
          THEN NULL
          ELSE coalesce((
            SELECT jsonb_agg(CASE WHEN x.value = cells ->> (x.i::integer - 1) THEN NULL ELSE to_jsonb(x.value) END ORDER BY x.i)
            FROM jsonb_array_elements_text(raw_cells) WITH ORDINALITY x(value, i)), '[]'::jsonb)
        END;

      DROP TABLE step12_path_sections;
      DROP TABLE step12_sections;
      DROP TABLE step12_prefixes;

      -- The heading path of each section, as a jsonb array.
      CREATE VIEW document_section_paths AS
        SELECT s.id AS section_id, s.document_id,
          CASE s.depth
            WHEN 1 THEN jsonb_build_array(s.title)
            WHEN 2 THEN jsonb_build_array(p1.title, s.title)
            WHEN 3 THEN jsonb_build_array(p2.title, p1.title, s.title)
            WHEN 4 THEN jsonb_build_array(p3.title, p2.title, p1.title, s.title)
            WHEN 5 THEN jsonb_build_array(p4.title, p3.title, p2.title, p1.title, s.title)
            ELSE jsonb_build_array(p5.title, p4.title, p3.title, p2.title, p1.title, s.title)
          END AS heading_path
        FROM document_sections s
        LEFT JOIN document_sections p1 ON p1.id = s.parent_id
        LEFT JOIN document_sections p2 ON p2.id = p1.parent_id
        LEFT JOIN document_sections p3 ON p3.id = p2.parent_id
        LEFT JOIN document_sections p4 ON p4.id = p3.parent_id
        LEFT JOIN document_sections p5 ON p5.id = p4.parent_id;

      -- Fields as they were before step 12: the heading path and the whole raw line.
      CREATE VIEW document_fields_with_path AS
        SELECT f.id, f.document_id, coalesce(p.heading_path, '[]'::jsonb) AS heading_path, f.key, f.value,
          coalesce(f.raw, coalesce(f.raw_prefix, '') || CASE f.style
            WHEN 'bold' THEN CASE
              WHEN f.raw_form = 1 THEN CASE WHEN f.value = '' THEN '**' || f.key || '**:' ELSE '**' || f.key || '**: ' || f.value END
              ELSE CASE WHEN f.value = '' THEN '**' || f.key || ':**' ELSE '**' || f.key || ':** ' || f.value END
            END
            WHEN 'title' THEN '**' || f.key || '**'
            WHEN 'bullet' THEN f.key || ': ' || f.value
          END) AS raw,
          f.style, f.line
        FROM document_fields f LEFT JOIN document_section_paths p ON p.section_id = f.section_id;

      -- Tables with their heading path.
      CREATE VIEW document_tables_with_path AS
        SELECT t.id, t.document_id, t.ordinal, coalesce(p.heading_path, '[]'::jsonb) AS heading_path, t.headers, t.raw_headers,
          t.line, t.end_line, t.row_count
        FROM document_tables t LEFT JOIN document_section_paths p ON p.section_id = t.section_id;

      -- Rows with their cells keyed by header (then by cell_keys) and every raw cell.
      CREATE VIEW document_table_rows_with_cells AS
        SELECT r.table_id, r.row_index,
          (SELECT coalesce(jsonb_object_agg(coalesce(t.headers ->> (c.i::integer - 1), r.cell_keys ->> (c.i::integer - 1 - jsonb_array_length(t.headers))), c.value), '{}'::jsonb)
           FROM jsonb_array_elements(r.cells) WITH ORDINALITY c(value, i)) AS cells,
          CASE WHEN r.raw_cells IS NULL THEN r.cells ELSE coalesce((
            SELECT jsonb_agg(CASE WHEN x.value = 'null'::jsonb THEN r.cells -> (x.i::integer - 1) ELSE x.value END ORDER BY x.i)
            FROM jsonb_array_elements(r.raw_cells) WITH ORDINALITY x(value, i)), '[]'::jsonb)
          END AS raw_cells,
          r.line
        FROM document_table_rows r JOIN document_tables t ON t.id = r.table_id;
    `

/**
 * Step 13: the agent SDK's own sessions (issue 13).
 *
 * - Typed tables `agent_sessions` (one summary row per audit log or
 *   transcript), `agent_events` (one row per audit-log line),
 *   `agent_messages` (one row per transcript line) and `agent_session_links`
 *   (one row per line that ties an SDK session to a report session).
 * - `documents.append_offset`, `append_hash` and `append_state`: for a JSON
 *   Lines file, how many bytes were applied, the sha256 of those bytes, and
 *   the parser's state after them. A file that grew with the same prefix has
 *   only its new lines parsed and inserted.
 * - `reports/sessions/` holds agent sessions, not a report session: its files
 *   leave the report session named `sessions`, which goes.
 * - Views: `agent_message_usage` (assistant lines with usage, one per streamed
 *   message: the first line of each `usage_key`, across files, as ccusage
 *   counts), `agent_model_usage` (per SDK session and model: requests, tokens
 *   and cost), `agent_session_report_links` (per SDK session, report session
 *   and kind of evidence: how many lines say so, and the first).
 */
export const step13 = `
      ALTER TABLE documents ADD COLUMN append_offset bigint;
      ALTER TABLE documents ADD COLUMN append_hash text;
      ALTER TABLE documents ADD COLUMN append_state jsonb;

      CREATE TABLE agent_sessions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        sdk_session_id text,
        source text,
        agent_id text,
        started_at text,
        ended_at text,
        cwd text,
        transcript_path text,
        version text,
        first_prompt_length bigint,
        first_prompt_preview text,
        compactions bigint,
        status text,
        lines bigint,
        tool_calls bigint,
        tool_failures bigint,
        subagents bigint,
        reports_saved bigint,
        models jsonb,
        extra jsonb,
        raw text
      );
      CREATE INDEX agent_sessions_document ON agent_sessions (document_id);
      CREATE INDEX agent_sessions_sdk_session ON agent_sessions (sdk_session_id);

      CREATE TABLE agent_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        sdk_session_id text,
        at text,
        event text,
        tool text,
        tool_type text,
        mcp_server text,
        mcp_action text,
        agent_type text,
        agent_id text,
        tool_use_id text,
        duration_ms bigint,
        success bigint,
        error text,
        file_path text,
        extra jsonb,
        raw text
      );
      CREATE INDEX agent_events_document ON agent_events (document_id);
      CREATE INDEX agent_events_sdk_session ON agent_events (sdk_session_id);

      CREATE TABLE agent_messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        sdk_session_id text,
        at text,
        type text,
        uuid text,
        parent_uuid text,
        agent_id text,
        is_sidechain bigint,
        model text,
        message_id text,
        request_id text,
        usage_key text,
        input_tokens bigint,
        output_tokens bigint,
        cache_read_tokens bigint,
        cache_creation_tokens bigint,
        cost_usd double precision,
        cost_source text,
        pricing_version text,
        tool_uses bigint,
        tool_errors bigint,
        extra jsonb,
        raw text
      );
      CREATE INDEX agent_messages_document ON agent_messages (document_id);
      CREATE INDEX agent_messages_sdk_session ON agent_messages (sdk_session_id);
      CREATE INDEX agent_messages_usage_key ON agent_messages (usage_key);

      CREATE TABLE agent_session_links (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        root text NOT NULL,
        session_id text,
        document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line integer,
        sdk_session_id text,
        report_session_id text,
        evidence text,
        detail text,
        at text,
        extra jsonb,
        raw text
      );
      CREATE INDEX agent_session_links_document ON agent_session_links (document_id);
      CREATE INDEX agent_session_links_sdk_session ON agent_session_links (sdk_session_id);
      CREATE INDEX agent_session_links_report_session ON agent_session_links (report_session_id);

      -- Assistant lines with usage, one per streamed message (the first line of each usage_key, across files).
      CREATE VIEW agent_message_usage AS
        SELECT id, root, document_id, line, sdk_session_id, at, agent_id, is_sidechain, model, message_id, request_id, usage_key,
          input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, cost_source, pricing_version
        FROM (
          SELECT m.*, row_number() OVER (PARTITION BY coalesce(m.usage_key, m.root || ':' || m.id) ORDER BY m.at, m.document_id, m.line) AS n
          FROM agent_messages m
          WHERE m.input_tokens IS NOT NULL OR m.output_tokens IS NOT NULL OR m.cache_read_tokens IS NOT NULL
            OR m.cache_creation_tokens IS NOT NULL OR m.cost_usd IS NOT NULL
        ) counted
        WHERE n = 1;

      -- Per SDK session and model: requests, tokens and cost; cost only from the lines that have one.
      CREATE VIEW agent_model_usage AS
        SELECT sdk_session_id, model, count(*) AS requests,
          sum(coalesce(input_tokens, 0)) AS input_tokens, sum(coalesce(output_tokens, 0)) AS output_tokens,
          sum(coalesce(cache_read_tokens, 0)) AS cache_read_tokens, sum(coalesce(cache_creation_tokens, 0)) AS cache_creation_tokens,
          sum(cost_usd) AS cost_usd, count(cost_usd) AS priced_requests, max(pricing_version) AS pricing_version
        FROM agent_message_usage WHERE sdk_session_id IS NOT NULL GROUP BY sdk_session_id, model;

      -- Per SDK session, report session and kind of evidence: how many lines say so, and the first.
      CREATE VIEW agent_session_report_links AS
        SELECT sdk_session_id, report_session_id, evidence, count(*) AS occurrences, min(detail) AS detail, min(at) AS first_at, max(at) AS last_at
        FROM agent_session_links WHERE sdk_session_id IS NOT NULL AND report_session_id IS NOT NULL
        GROUP BY sdk_session_id, report_session_id, evidence;

      -- reports/sessions/ holds agent sessions: its files leave the report session of that name.
      UPDATE documents SET session_id = NULL WHERE session_id = 'sessions' AND path LIKE 'sessions/%';
      DELETE FROM sessions WHERE session_id = 'sessions' AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.root = sessions.root AND d.session_id = 'sessions');
    `

/**
 * Step 14: history contents may be Brotli-compressed (`encoding` `br`); see
 * the SQLite step. Contents stored gzip-compressed stay as they are.
 * Released: frozen.
 */
export const step14 = `
      ALTER TABLE history_blobs DROP CONSTRAINT history_blobs_encoding_check;
      ALTER TABLE history_blobs ADD CONSTRAINT history_blobs_encoding_check CHECK (encoding IN ('identity', 'gzip', 'br'));
    `
