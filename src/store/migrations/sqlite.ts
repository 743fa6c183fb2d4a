/**
 * The migration steps in SQLite's dialect, as literal SQL (house style 8, as
 * langgraphjs's checkpointers keep theirs). A released step is frozen: it is
 * never edited nor rebuilt from today's table catalogue, because databases in
 * the field already ran it. A schema change is a new step at the end, written
 * here and in postgres.ts, and listed in ../migrations.ts.
 *
 * Steps 1 and 2 are byte for byte what the former generator produced: SQLite
 * keeps each CREATE TABLE's text in sqlite_master, so new and old databases
 * also agree on that text. The indentation is theirs.
 */

/** Step 1: core: sessions, documents, tables, sync runs. Released: frozen. */
export const step1 = `
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT NOT NULL,
        created_at TEXT,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (root, session_id)
      );

      CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        path TEXT NOT NULL,
        session_id TEXT,
        document_type TEXT NOT NULL,
        format TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        content_hash TEXT,
        parsed_hash TEXT,
        word_count INTEGER,
        footnote_count INTEGER,
        table_count INTEGER,
        json TEXT,
        diagnostics TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
        error TEXT,
        error_line INTEGER,
        instance TEXT NOT NULL,
        applied_at TEXT,
        checked_at TEXT NOT NULL,
        UNIQUE (root, path),
        FOREIGN KEY (root, session_id) REFERENCES sessions (root, session_id) ON DELETE CASCADE
      );
      CREATE INDEX documents_session ON documents (root, session_id);
      CREATE INDEX documents_status ON documents (status) WHERE status = 'error';

      CREATE TABLE document_tables (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        heading_path TEXT NOT NULL,
        headers TEXT NOT NULL,
        raw_headers TEXT NOT NULL,
        line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        UNIQUE (document_id, ordinal)
      );

      CREATE TABLE document_table_rows (
        table_id INTEGER NOT NULL REFERENCES document_tables (id) ON DELETE CASCADE,
        row_index INTEGER NOT NULL,
        cells TEXT NOT NULL,
        raw_cells TEXT NOT NULL,
        line INTEGER NOT NULL,
        PRIMARY KEY (table_id, row_index)
      ) WITHOUT ROWID;

      CREATE TABLE sync_runs (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        instance TEXT NOT NULL,
        mode TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        files_seen INTEGER NOT NULL,
        files_applied INTEGER NOT NULL,
        files_unchanged INTEGER NOT NULL,
        files_removed INTEGER NOT NULL,
        files_failed INTEGER NOT NULL
      );
    `

/** Step 2: typed session state: session columns, fields, session facts, typed tables. Released: frozen. */
export const step2 = `
      ALTER TABLE sessions ADD COLUMN matter_name TEXT;
      ALTER TABLE sessions ADD COLUMN deal_value REAL;
      ALTER TABLE sessions ADD COLUMN deal_value_low REAL;
      ALTER TABLE sessions ADD COLUMN deal_value_high REAL;
      ALTER TABLE sessions ADD COLUMN deal_value_raw TEXT;
      ALTER TABLE sessions ADD COLUMN closing_date TEXT;
      ALTER TABLE sessions ADD COLUMN closing_date_precision TEXT;
      ALTER TABLE sessions ADD COLUMN closing_date_raw TEXT;
      ALTER TABLE sessions ADD COLUMN acquirer TEXT;
      ALTER TABLE sessions ADD COLUMN target TEXT;
      ALTER TABLE sessions ADD COLUMN transaction_type TEXT;
      ALTER TABLE sessions ADD COLUMN complexity TEXT;
      ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE sessions ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE documents ADD COLUMN typed_kind TEXT;

      CREATE TABLE document_fields (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        heading_path TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        raw TEXT NOT NULL,
        style TEXT NOT NULL,
        line INTEGER NOT NULL
      );
      CREATE INDEX document_fields_document ON document_fields (document_id);
      CREATE INDEX document_fields_key ON document_fields (key);

      CREATE TABLE session_facts (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        precedence INTEGER NOT NULL,
        line INTEGER,
        matter_name TEXT,
        deal_value REAL,
        deal_value_low REAL,
        deal_value_high REAL,
        deal_value_raw TEXT,
        closing_date TEXT,
        closing_date_precision TEXT,
        closing_date_raw TEXT,
        acquirer TEXT,
        target TEXT,
        transaction_type TEXT,
        complexity TEXT,
        metadata TEXT NOT NULL
      );
      CREATE INDEX session_facts_session ON session_facts (root, session_id);
      CREATE INDEX session_facts_document ON session_facts (document_id);

      CREATE TABLE session_phases (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        phase TEXT,
        status TEXT,
        status_raw TEXT,
        start_time TEXT,
        end_time TEXT,
        duration_ms INTEGER,
        agent TEXT,
        notes TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX session_phases_document ON session_phases (document_id);
      CREATE INDEX session_phases_session ON session_phases (root, session_id);

      CREATE TABLE session_iterations (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        gate_name TEXT,
        current_iteration INTEGER,
        max_iterations INTEGER,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX session_iterations_document ON session_iterations (document_id);
      CREATE INDEX session_iterations_session ON session_iterations (root, session_id);

      CREATE TABLE deal_blocking_warnings (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        warning TEXT,
        severity TEXT,
        status TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX deal_blocking_warnings_document ON deal_blocking_warnings (document_id);
      CREATE INDEX deal_blocking_warnings_session ON deal_blocking_warnings (root, session_id);

      CREATE TABLE expected_sections (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        section_id TEXT,
        section_name TEXT,
        primary_report TEXT,
        secondary_reports TEXT,
        coverage TEXT,
        coverage_status TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX expected_sections_document ON expected_sections (document_id);
      CREATE INDEX expected_sections_session ON expected_sections (root, session_id);

      CREATE TABLE extracted_facts (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        category TEXT,
        fact TEXT,
        value TEXT,
        value_number REAL,
        value_low REAL,
        value_high REAL,
        value_date TEXT,
        value_date_precision TEXT,
        source_report TEXT,
        section TEXT,
        confidence TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX extracted_facts_document ON extracted_facts (document_id);
      CREATE INDEX extracted_facts_session ON extracted_facts (root, session_id);

      CREATE TABLE execution_inventory (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        specialist_id TEXT,
        report_file TEXT,
        word_count INTEGER,
        word_count_raw TEXT,
        complete TEXT,
        domains TEXT,
        gaps TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX execution_inventory_document ON execution_inventory (document_id);
      CREATE INDEX execution_inventory_session ON execution_inventory (root, session_id);

      CREATE TABLE quantified_exposures (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        category TEXT,
        exposure_id TEXT,
        finding TEXT,
        gross_exposure_raw TEXT,
        gross_low REAL,
        gross_high REAL,
        probability_raw TEXT,
        probability_low REAL,
        probability_high REAL,
        weighted_raw TEXT,
        weighted_low REAL,
        weighted_high REAL,
        method TEXT,
        source_report TEXT,
        timeline TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX quantified_exposures_document ON quantified_exposures (document_id);
      CREATE INDEX quantified_exposures_session ON quantified_exposures (root, session_id);

      CREATE TABLE research_plans (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        query_text TEXT,
        complexity TEXT,
        transaction_value REAL,
        transaction_value_raw TEXT,
        transaction_type TEXT,
        output_targets TEXT,
        created TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX research_plans_document ON research_plans (document_id);
      CREATE INDEX research_plans_session ON research_plans (root, session_id);

      CREATE TABLE legal_domains (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        ordinal TEXT,
        domain TEXT,
        scope TEXT,
        priority TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX legal_domains_document ON legal_domains (document_id);
      CREATE INDEX legal_domains_session ON legal_domains (root, session_id);

      CREATE TABLE critical_issues (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        ordinal TEXT,
        issue TEXT,
        domain TEXT,
        why_critical TEXT,
        expected_exposure_raw TEXT,
        exposure_low REAL,
        exposure_high REAL,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX critical_issues_document ON critical_issues (document_id);
      CREATE INDEX critical_issues_session ON critical_issues (root, session_id);

      CREATE TABLE specialist_assignments (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        task_id TEXT,
        specialist_type TEXT,
        task_description TEXT,
        execution_mode TEXT,
        priority TEXT,
        status TEXT,
        status_raw TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX specialist_assignments_document ON specialist_assignments (document_id);
      CREATE INDEX specialist_assignments_session ON specialist_assignments (root, session_id);

      CREATE TABLE refinement_log (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        entry_time TEXT,
        entry TEXT,
        reason TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX refinement_log_document ON refinement_log (document_id);
      CREATE INDEX refinement_log_session ON refinement_log (root, session_id);

      CREATE TABLE fact_registry (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        fact_category TEXT,
        fact_id TEXT,
        fact_name TEXT,
        canonical_value TEXT,
        value_number REAL,
        value_low REAL,
        value_high REAL,
        value_date TEXT,
        value_date_precision TEXT,
        source_reports TEXT,
        source_location TEXT,
        confidence TEXT,
        notes TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX fact_registry_document ON fact_registry (document_id);
      CREATE INDEX fact_registry_session ON fact_registry (root, session_id);

      CREATE TABLE fact_conflicts (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        conflict_id TEXT,
        fact_name TEXT,
        conflicting_values TEXT,
        sources TEXT,
        resolution TEXT,
        canonical_value TEXT,
        severity TEXT,
        status TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX fact_conflicts_document ON fact_conflicts (document_id);
      CREATE INDEX fact_conflicts_session ON fact_conflicts (root, session_id);

      CREATE TABLE coverage_gaps (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        gap_id TEXT,
        description TEXT,
        domain TEXT,
        severity TEXT,
        status TEXT,
        recommendation TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX coverage_gaps_document ON coverage_gaps (document_id);
      CREATE INDEX coverage_gaps_session ON coverage_gaps (root, session_id);

      CREATE TABLE synthesis_state (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        current_phase TEXT,
        status TEXT,
        last_completed_step TEXT,
        sections_completed TEXT,
        sections_pending TEXT,
        last_updated TEXT,
        next_action TEXT,
        critical_context TEXT,
        blocking_issue TEXT,
        document TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX synthesis_state_document ON synthesis_state (document_id);
      CREATE INDEX synthesis_state_session ON synthesis_state (root, session_id);

      CREATE TABLE agent_states (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        agent TEXT,
        version TEXT,
        status TEXT,
        current_phase TEXT,
        started_at TEXT,
        last_updated TEXT,
        compaction_summary TEXT,
        recovery_instructions TEXT,
        phases TEXT,
        document TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX agent_states_document ON agent_states (document_id);
      CREATE INDEX agent_states_session ON agent_states (root, session_id);

      CREATE TABLE risk_summary (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        total_gross_exposure REAL,
        total_weighted_exposure REAL,
        risk_count INTEGER,
        highest_severity TEXT,
        recommendation TEXT,
        document TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX risk_summary_document ON risk_summary (document_id);
      CREATE INDEX risk_summary_session ON risk_summary (root, session_id);

      CREATE TABLE risk_items (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        risk_id TEXT,
        title TEXT,
        category TEXT,
        severity TEXT,
        probability REAL,
        gross_exposure REAL,
        weighted_exposure REAL,
        source TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX risk_items_document ON risk_items (document_id);
      CREATE INDEX risk_items_session ON risk_items (root, session_id);
    `

/**
 * Step 3: the change log, one row per committed file change, so a listener
 * that was away can resume from a seq. AUTOINCREMENT so a seq is never issued
 * twice, even after the newest rows were deleted.
 */
export const step3 = `
      CREATE TABLE change_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        root TEXT NOT NULL,
        session_id TEXT,
        path TEXT,
        change TEXT NOT NULL CHECK (change IN ('created', 'updated', 'removed')),
        status TEXT CHECK (status IN ('ok', 'error')),
        instance TEXT NOT NULL,
        at TEXT NOT NULL
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
        name TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
    `

/**
 * Step 5: the API's session list pages newest first on (updated_at, session_id,
 * root); this index lets a page read its rows in order instead of sorting
 * every session.
 */
export const step5 = `
      CREATE INDEX sessions_updated ON sessions (updated_at DESC, session_id, root);
    `

/**
 * Step 6: history. Every applied version of every file is a revision; each
 * distinct content is stored once (`history_blobs`), as a full copy (gzip at
 * or above the compression threshold) or as a delta against an earlier
 * content. A removal leaves a tombstone revision that names the content the
 * file last had. `ordinal` numbers a file's revisions 1, 2, 3… and never
 * changes, so thinning old revisions to every Nth keeps the same ones on every run.
 * `archived_sessions` lists the sessions `cleanup` archived: the sync leaves
 * their directories alone until `import` brings them back. See README "History".
 */
export const step6 = `
      CREATE TABLE history_blobs (
        content_hash TEXT PRIMARY KEY,
        size_bytes INTEGER NOT NULL,
        encoding TEXT NOT NULL CHECK (encoding IN ('identity', 'gzip')),
        base_hash TEXT REFERENCES history_blobs (content_hash),
        depth INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX history_blobs_base ON history_blobs (base_hash) WHERE base_hash IS NOT NULL;
      CREATE TABLE file_revisions (
        rev INTEGER PRIMARY KEY AUTOINCREMENT,
        root TEXT NOT NULL,
        path TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        session_id TEXT,
        change TEXT NOT NULL CHECK (change IN ('created', 'updated', 'removed', 'restored')),
        content_hash TEXT REFERENCES history_blobs (content_hash),
        size_bytes INTEGER,
        status TEXT CHECK (status IN ('ok', 'error')),
        at TEXT NOT NULL,
        instance TEXT NOT NULL
      );
      CREATE INDEX file_revisions_path ON file_revisions (root, path, rev);
      CREATE INDEX file_revisions_session ON file_revisions (root, session_id, rev);
      CREATE INDEX file_revisions_at ON file_revisions (at);
      CREATE INDEX file_revisions_content ON file_revisions (content_hash);
      CREATE TABLE archived_sessions (
        root TEXT NOT NULL,
        session_id TEXT NOT NULL,
        archive TEXT NOT NULL,
        files_deleted INTEGER NOT NULL,
        archived_at TEXT NOT NULL,
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
      ALTER TABLE sessions ADD COLUMN status_reason TEXT;
      ALTER TABLE sessions ADD COLUMN error_files TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE sessions ADD COLUMN created_at_from_name TEXT;
      ALTER TABLE sessions ADD COLUMN created_at_source TEXT;
      UPDATE sessions SET created_at_from_name = created_at,
        created_at_source = CASE WHEN created_at IS NULL THEN NULL ELSE 'name' END,
        status = CASE WHEN status = 'error' THEN 'degraded' ELSE status END;
      ALTER TABLE specialist_assignments ADD COLUMN derived_status TEXT;
      ALTER TABLE specialist_assignments ADD COLUMN status_evidence TEXT;
      ALTER TABLE specialist_assignments ADD COLUMN evidence_path TEXT;
      CREATE INDEX sessions_unexplained ON sessions (root, session_id) WHERE status_reason IS NULL;
    `

/**
 * QA assessments, remediation tasks (with a derived status beside the plan's mark, from the
 * remediation outputs that report completion), and session usage with its per-session sums.
 */
export const step8 = `
      CREATE TABLE qa_assessments (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        assessment_type TEXT,
        pass INTEGER,
        overall_score REAL,
        score_raw TEXT,
        max_score REAL,
        quality_tier TEXT,
        status TEXT,
        certification TEXT,
        certification_raw TEXT,
        assessed_at TEXT,
        issue_count INTEGER,
        issues TEXT,
        dimensions TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX qa_assessments_document ON qa_assessments (document_id);
      CREATE INDEX qa_assessments_session ON qa_assessments (root, session_id);

      CREATE TABLE remediation_tasks (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        task_id TEXT,
        wave INTEGER,
        task_type TEXT,
        agent TEXT,
        target_document TEXT,
        description TEXT,
        priority TEXT,
        status TEXT,
        status_raw TEXT,
        output_path TEXT,
        completed_at TEXT,
        derived_status TEXT,
        status_evidence TEXT,
        evidence_path TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX remediation_tasks_document ON remediation_tasks (document_id);
      CREATE INDEX remediation_tasks_session ON remediation_tasks (root, session_id);

      CREATE TABLE remediation_outputs (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        output_name TEXT,
        reports_complete INTEGER,
        statement TEXT,
        completed_at TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX remediation_outputs_document ON remediation_outputs (document_id);
      CREATE INDEX remediation_outputs_session ON remediation_outputs (root, session_id);

      CREATE TABLE session_usage (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        source TEXT,
        agent TEXT,
        model TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cache_read_tokens INTEGER,
        cache_creation_tokens INTEGER,
        total_tokens INTEGER,
        turns INTEGER,
        tool_calls INTEGER,
        duration_ms INTEGER,
        cost_usd REAL,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX session_usage_document ON session_usage (document_id);
      CREATE INDEX session_usage_session ON session_usage (root, session_id);

      -- What each session's runs cost, summed over the per-file rows. A stated total wins; else input, output and cache tokens add up.
      CREATE VIEW session_usage_totals AS
        SELECT root, session_id, count(DISTINCT document_id) AS files, count(*) AS records,
          sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
          sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
          sum(coalesce(total_tokens, input_tokens + output_tokens + coalesce(cache_read_tokens, 0) + coalesce(cache_creation_tokens, 0))) AS total_tokens,
          sum(turns) AS turns, sum(tool_calls) AS tool_calls, sum(duration_ms) AS duration_ms, sum(cost_usd) AS cost_usd
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
      ALTER TABLE fact_registry ADD COLUMN occurrences INTEGER DEFAULT 1;
      ALTER TABLE fact_registry ADD COLUMN fact_key TEXT;
      ALTER TABLE extracted_facts ADD COLUMN occurrences INTEGER DEFAULT 1;
      ALTER TABLE extracted_facts ADD COLUMN fact_key TEXT;
      ALTER TABLE fact_conflicts ADD COLUMN occurrences INTEGER DEFAULT 1;
      ALTER TABLE fact_conflicts ADD COLUMN conflict_key TEXT;
      ALTER TABLE coverage_gaps ADD COLUMN occurrences INTEGER DEFAULT 1;

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
          SELECT told.*, row_number() OVER (PARTITION BY root, session_id, conflict_key ORDER BY precedence, path, line, id) AS rank
          FROM told
        ),
        per_document AS (
          SELECT root, session_id, conflict_key, path, sum(coalesce(occurrences, 1)) AS tellings
          FROM told GROUP BY root, session_id, conflict_key, path
        ),
        -- A window, not string_agg(... ORDER BY ...): that needs SQLite 3.44, and the sqlite3 shell of many
        -- systems (3.40 on Debian 12) would then call the whole schema malformed.
        linked AS (
          SELECT DISTINCT root, session_id, conflict_key,
            count(*) OVER conflict AS documents,
            CAST(sum(tellings) OVER conflict AS INTEGER) AS tellings,
            group_concat(path, '; ') OVER (conflict ORDER BY path ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS paths
          FROM per_document
          WINDOW conflict AS (PARTITION BY root, session_id, conflict_key)
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
              ORDER BY CASE document_type WHEN 'fact_registry' THEN 1 WHEN 'orchestrator_state' THEN 2 ELSE 3 END, path, line, row_id
            ) AS rank,
            count(*) OVER (PARTITION BY root, session_id, fact_key) AS candidates,
            CAST(sum(coalesce(occurrences, 1)) OVER (PARTITION BY root, session_id, fact_key) AS INTEGER) AS tellings
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
      ALTER TABLE documents ADD COLUMN parser_version INTEGER NOT NULL DEFAULT 1;
    `

/** Step 11: a risk a summary lists twice is one row counting its tellings (issue 11, duplicates). */
export const step11 = `
      ALTER TABLE risk_items ADD COLUMN occurrences INTEGER DEFAULT 1;
    `

/**
 * Step 12: a smaller database with the same information (issue 12).
 *
 * - `document_sections`: one row per heading of a markdown document, in
 *   document order (`ordinal`), under its enclosing heading (`parent_id`,
 *   null at the top), `depth` the length of its heading path, `title` the
 *   heading text, `line` its line (null only for sections this step derives).
 * - `document_fields` and `document_tables` name their section (`section_id`,
 *   null before the first heading) instead of repeating `heading_path`.
 *   `section_id` and `parent_id` are plain ids, not foreign keys: they are
 *   written and deleted with their document's rows, and a foreign key would
 *   need an index on each to delete a section without scanning.
 * - `document_fields.raw` is null where `raw_prefix` (null for none) and a
 *   form of the field's style rebuild it: bold `**key:** value` (`**key:**`
 *   when the value is empty), or with `raw_form` 1 `**key**: value`
 *   (`**key**:`); title `**key**`; bullet `key: value`. The prefix is what
 *   comes before, the list marker: `- **key:** value`, `3. **key**: value`,
 *   `- key: value`. Where raw is kept, raw_prefix and raw_form are null
 *   (src/store/document-records.ts, fieldRaw; the views below and the
 *   conversion here spell the same rule, trying the forms in the same order).
 * - `document_table_rows.cells` is a JSON array in column order (the
 *   headers', then cells beyond them); `cell_keys` the keys of those extra
 *   cells (`column_N`), null for rows no longer than their header row;
 *   `raw_cells` null when every raw cell equals its text, else an array with
 *   null where it does (a row shorter than its header row keeps its length).
 * - `document_fields_key` is dropped: no query looks fields up by key (the
 *   one that asks compares lower(key), which the index cannot serve).
 *
 * Rows written before this step are converted here: a section for every
 * heading path they name and each of its prefixes, ordered by the first line
 * under it, with no line. Parser version 3 then reads every file again, and
 * its sections replace these.
 *
 * Views give back the former shape for SQL users (JSON as text):
 * `document_section_paths` (section_id, document_id, heading_path);
 * `document_fields_with_path` (id, document_id, heading_path, key, value, raw,
 * style, line); `document_tables_with_path` (id, document_id, ordinal,
 * heading_path, headers, raw_headers, line, end_line, row_count);
 * `document_table_rows_with_cells` (table_id, row_index, cells as an object,
 * raw_cells as the whole array, line). Markdown nests headings six deep at
 * most, so document_section_paths joins six levels.
 */
export const step12 = `
      CREATE TABLE document_sections (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        parent_id INTEGER,
        depth INTEGER NOT NULL,
        title TEXT NOT NULL,
        line INTEGER,
        UNIQUE (document_id, ordinal)
      );

      -- Every heading path the old rows name, each prefix of it, and the first line under it.
      CREATE TEMP TABLE step12_prefixes AS
        WITH RECURSIVE named AS (
          SELECT document_id, heading_path, min(line) AS line FROM (
            SELECT document_id, heading_path, line FROM document_fields
            UNION ALL SELECT document_id, heading_path, line FROM document_tables)
          WHERE heading_path <> '[]' GROUP BY document_id, heading_path
        ),
        prefixes (document_id, heading_path, line, depth, prefix, parent_prefix) AS (
          SELECT document_id, heading_path, line, 1, json_array(json_extract(heading_path, '$[0]')), NULL FROM named
          UNION ALL
          SELECT document_id, heading_path, line, depth + 1,
            json_insert(prefix, '$[#]', json_extract(heading_path, '$[' || depth || ']')), prefix
          FROM prefixes WHERE depth < json_array_length(heading_path)
        )
        SELECT * FROM prefixes;
      -- The table is new, so the ids are chosen here and a section names its parent in the same insert.
      CREATE TEMP TABLE step12_sections AS
        SELECT *, row_number() OVER (ORDER BY document_id, ordinal) AS id FROM (
          SELECT document_id, prefix, parent_prefix, depth, json_extract(prefix, '$[' || (depth - 1) || ']') AS title,
            row_number() OVER (PARTITION BY document_id ORDER BY min(line), depth) - 1 AS ordinal
          FROM step12_prefixes GROUP BY document_id, prefix, parent_prefix, depth);
      CREATE INDEX temp.step12_sections_prefix ON step12_sections (document_id, prefix);
      INSERT INTO document_sections (id, document_id, ordinal, parent_id, depth, title)
        SELECT c.id, c.document_id, c.ordinal, p.id, c.depth, c.title
        FROM step12_sections c LEFT JOIN step12_sections p ON p.document_id = c.document_id AND p.prefix = c.parent_prefix
        ORDER BY c.id;
      CREATE TEMP TABLE step12_path_sections AS
        SELECT x.document_id, x.heading_path, c.id AS section_id
        FROM step12_prefixes x JOIN step12_sections c ON c.document_id = x.document_id AND c.prefix = x.prefix
        WHERE x.depth = json_array_length(x.heading_path);
      CREATE INDEX temp.step12_path_sections_path ON step12_path_sections (document_id, heading_path);

      -- New tables, filled from the old ones, which are then dropped child first (a dropped
      -- parent would delete its children's rows through ON DELETE CASCADE).
      CREATE TABLE document_fields_v12 (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        section_id INTEGER,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        raw TEXT,
        raw_prefix TEXT,
        raw_form INTEGER,
        style TEXT NOT NULL,
        line INTEGER NOT NULL
      );
      -- A raw line is rebuilt by the first form it ends with, the usual one of its style or the
      -- colon after the bold, when what comes before (the prefix) and the form give it back exactly.
      INSERT INTO document_fields_v12 (id, document_id, section_id, key, value, raw, raw_prefix, raw_form, style, line)
        SELECT id, document_id, section_id, key, value,
          CASE WHEN form IS NULL THEN raw END,
          CASE form WHEN 0 THEN nullif(usual_prefix, '') WHEN 1 THEN nullif(after_prefix, '') END,
          nullif(form, 0), style, line
        FROM (
          SELECT *, CASE WHEN usual_prefix || usual_form = raw THEN 0 WHEN after_prefix || after_form = raw THEN 1 END AS form
          FROM (
            SELECT *,
              substr(raw, 1, length(raw) - length(usual_form)) AS usual_prefix,
              substr(raw, 1, length(raw) - length(after_form)) AS after_prefix
            FROM (
              SELECT f.id, f.document_id, p.section_id, f.key, f.value, f.raw, f.style, f.line,
                CASE f.style
                  WHEN 'bold' THEN CASE WHEN f.value = '' THEN '**' || f.key || ':**' ELSE '**' || f.key || ':** ' || f.value END
                  WHEN 'title' THEN '**' || f.key || '**'
                  WHEN 'bullet' THEN f.key || ': ' || f.value
                END AS usual_form,
                CASE WHEN f.style = 'bold' THEN
                  CASE WHEN f.value = '' THEN '**' || f.key || '**:' ELSE '**' || f.key || '**: ' || f.value END
                END AS after_form
              FROM document_fields f
              LEFT JOIN step12_path_sections p ON p.document_id = f.document_id AND p.heading_path = f.heading_path)));

      CREATE TABLE document_tables_v12 (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section_id INTEGER,
        headers TEXT NOT NULL,
        raw_headers TEXT NOT NULL,
        line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        UNIQUE (document_id, ordinal)
      );
      INSERT INTO document_tables_v12 (id, document_id, ordinal, section_id, headers, raw_headers, line, end_line, row_count)
        SELECT t.id, t.document_id, t.ordinal, p.section_id, t.headers, t.raw_headers, t.line, t.end_line, t.row_count
        FROM document_tables t LEFT JOIN step12_path_sections p ON p.document_id = t.document_id AND p.heading_path = t.heading_path;

      CREATE TABLE document_table_rows_v12 (
        table_id INTEGER NOT NULL REFERENCES document_tables_v12 (id) ON DELETE CASCADE,
        row_index INTEGER NOT NULL,
        cells TEXT NOT NULL,
        raw_cells TEXT,
        cell_keys TEXT,
        line INTEGER NOT NULL,
        PRIMARY KEY (table_id, row_index)
      ) WITHOUT ROWID;
      -- Cells in header order, then the keys beyond the headers in the order the row's JSON holds them.
      -- An aggregate over a window, as session_conflicts does: its order is defined.
      INSERT INTO document_table_rows_v12 (table_id, row_index, cells, raw_cells, cell_keys, line)
        SELECT r.table_id, r.row_index,
          coalesce((
            SELECT json_group_array(c.value) OVER (ORDER BY h.key IS NULL, h.key, c.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
            FROM json_each(r.cells) c LEFT JOIN json_each(t.headers) h ON h.value = c.key LIMIT 1), '[]'),
          r.raw_cells,
          (SELECT json_group_array(c.key) OVER (ORDER BY c.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
           FROM json_each(r.cells) c WHERE c.key NOT IN (SELECT h.value FROM json_each(t.headers) h) LIMIT 1),
          r.line
        FROM document_table_rows r JOIN document_tables t ON t.id = r.table_id;
      UPDATE document_table_rows_v12 SET raw_cells = CASE
          WHEN json_array_length(raw_cells) = json_array_length(cells)
            AND NOT EXISTS (SELECT 1 FROM json_each(raw_cells) x WHERE x.value IS NOT json_extract(cells, '$[' || x.key || ']'))
          THEN NULL
          ELSE coalesce((
            SELECT json_group_array(CASE WHEN x.value = json_extract(cells, '$[' || x.key || ']') THEN NULL ELSE x.value END)
              OVER (ORDER BY x.key ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
            FROM json_each(raw_cells) x LIMIT 1), '[]')
        END;

      DROP TABLE document_table_rows;
      DROP TABLE document_tables;
      DROP TABLE document_fields;
      ALTER TABLE document_fields_v12 RENAME TO document_fields;
      ALTER TABLE document_tables_v12 RENAME TO document_tables;
      ALTER TABLE document_table_rows_v12 RENAME TO document_table_rows;
      CREATE INDEX document_fields_document ON document_fields (document_id);
      DROP TABLE temp.step12_path_sections;
      DROP TABLE temp.step12_sections;
      DROP TABLE temp.step12_prefixes;

      -- The heading path of each section, as JSON text.
      CREATE VIEW document_section_paths AS
        SELECT s.id AS section_id, s.document_id,
          CASE s.depth
            WHEN 1 THEN json_array(s.title)
            WHEN 2 THEN json_array(p1.title, s.title)
            WHEN 3 THEN json_array(p2.title, p1.title, s.title)
            WHEN 4 THEN json_array(p3.title, p2.title, p1.title, s.title)
            WHEN 5 THEN json_array(p4.title, p3.title, p2.title, p1.title, s.title)
            ELSE json_array(p5.title, p4.title, p3.title, p2.title, p1.title, s.title)
          END AS heading_path
        FROM document_sections s
        LEFT JOIN document_sections p1 ON p1.id = s.parent_id
        LEFT JOIN document_sections p2 ON p2.id = p1.parent_id
        LEFT JOIN document_sections p3 ON p3.id = p2.parent_id
        LEFT JOIN document_sections p4 ON p4.id = p3.parent_id
        LEFT JOIN document_sections p5 ON p5.id = p4.parent_id;

      -- Fields as they were before step 12: the heading path and the whole raw line.
      CREATE VIEW document_fields_with_path AS
        SELECT f.id, f.document_id, coalesce(p.heading_path, json_array()) AS heading_path, f.key, f.value,
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
        SELECT t.id, t.document_id, t.ordinal, coalesce(p.heading_path, json_array()) AS heading_path, t.headers, t.raw_headers,
          t.line, t.end_line, t.row_count
        FROM document_tables t LEFT JOIN document_section_paths p ON p.section_id = t.section_id;

      -- Rows with their cells keyed by header (then by cell_keys) and every raw cell.
      CREATE VIEW document_table_rows_with_cells AS
        SELECT r.table_id, r.row_index,
          (SELECT json_group_object(coalesce(h.value, k.value), c.value)
           FROM json_each(r.cells) c
           LEFT JOIN json_each(t.headers) h ON h.key = c.key
           LEFT JOIN json_each(r.cell_keys) k ON k.key = c.key - json_array_length(t.headers)) AS cells,
          CASE WHEN r.raw_cells IS NULL THEN r.cells ELSE coalesce((
            SELECT json_group_array(coalesce(x.value, json_extract(r.cells, '$[' || x.key || ']')))
              OVER (ORDER BY x.key ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
            FROM json_each(r.raw_cells) x LIMIT 1), json_array())
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
      ALTER TABLE documents ADD COLUMN append_offset INTEGER;
      ALTER TABLE documents ADD COLUMN append_hash TEXT;
      ALTER TABLE documents ADD COLUMN append_state TEXT;

      CREATE TABLE agent_sessions (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        sdk_session_id TEXT,
        source TEXT,
        agent_id TEXT,
        started_at TEXT,
        ended_at TEXT,
        cwd TEXT,
        transcript_path TEXT,
        version TEXT,
        first_prompt_length INTEGER,
        first_prompt_preview TEXT,
        compactions INTEGER,
        status TEXT,
        lines INTEGER,
        tool_calls INTEGER,
        tool_failures INTEGER,
        subagents INTEGER,
        reports_saved INTEGER,
        models TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX agent_sessions_document ON agent_sessions (document_id);
      CREATE INDEX agent_sessions_sdk_session ON agent_sessions (sdk_session_id);

      CREATE TABLE agent_events (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        sdk_session_id TEXT,
        at TEXT,
        event TEXT,
        tool TEXT,
        tool_type TEXT,
        mcp_server TEXT,
        mcp_action TEXT,
        agent_type TEXT,
        agent_id TEXT,
        tool_use_id TEXT,
        duration_ms INTEGER,
        success INTEGER,
        error TEXT,
        file_path TEXT,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX agent_events_document ON agent_events (document_id);
      CREATE INDEX agent_events_sdk_session ON agent_events (sdk_session_id);

      CREATE TABLE agent_messages (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        sdk_session_id TEXT,
        at TEXT,
        type TEXT,
        uuid TEXT,
        parent_uuid TEXT,
        agent_id TEXT,
        is_sidechain INTEGER,
        model TEXT,
        message_id TEXT,
        request_id TEXT,
        usage_key TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cache_read_tokens INTEGER,
        cache_creation_tokens INTEGER,
        cost_usd REAL,
        cost_source TEXT,
        pricing_version TEXT,
        tool_uses INTEGER,
        tool_errors INTEGER,
        extra TEXT,
        raw TEXT
      );
      CREATE INDEX agent_messages_document ON agent_messages (document_id);
      CREATE INDEX agent_messages_sdk_session ON agent_messages (sdk_session_id);
      CREATE INDEX agent_messages_usage_key ON agent_messages (usage_key);

      CREATE TABLE agent_session_links (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        session_id TEXT,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        line INTEGER,
        sdk_session_id TEXT,
        report_session_id TEXT,
        evidence TEXT,
        detail TEXT,
        at TEXT,
        extra TEXT,
        raw TEXT
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
 * Step 14: history contents may be Brotli-compressed (`encoding` `br`). The
 * parse workers compress in Brotli's quality 1 instead of gzip's level 3: in
 * less than half the time, for no more bytes. Contents stored gzip-compressed
 * stay as they are and are still read. SQLite cannot change a CHECK in place,
 * so `history_blobs` is rebuilt with its rows (`file_revisions` and the table
 * itself reference it by name); the step runs with foreign keys off and checks
 * them before it commits (see `foreignKeysOff` in ../migrations.ts).
 * Released: frozen.
 */
export const step14 = `
      CREATE TABLE history_blobs_v14 (
        content_hash TEXT PRIMARY KEY,
        size_bytes INTEGER NOT NULL,
        encoding TEXT NOT NULL CHECK (encoding IN ('identity', 'gzip', 'br')),
        base_hash TEXT REFERENCES history_blobs_v14 (content_hash),
        depth INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
      INSERT INTO history_blobs_v14 (content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at)
        SELECT content_hash, size_bytes, encoding, base_hash, depth, stored_bytes, data, created_at FROM history_blobs;
      DROP TABLE history_blobs;
      ALTER TABLE history_blobs_v14 RENAME TO history_blobs;
      CREATE INDEX history_blobs_base ON history_blobs (base_hash) WHERE base_hash IS NOT NULL;
    `
