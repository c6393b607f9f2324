import { useEffect, useRef, useState } from "react";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportResult } from "../bindings/ImportResult";
import type { ImportSettings } from "../bindings/ImportSettings";
import { Badge, ProgressBar } from "../components/Feedback";
import { InboxPanel } from "../components/InboxPanel";
import { useApp, useLoad } from "../state/app";

/** One absolute path per line; blank lines and surrounding quotes dropped. */
export function parsePaths(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^["']|["']$/g, ""))
    .filter((l) => l !== "");
}

export function Import() {
  const { backend, run, bump, lastImport, setLastImport, setWorkspace, workspace } = useApp();
  const [paths, setPaths] = useState("");
  const [busy, setBusy] = useState(false);
  const [hover, setHover] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const busyRef = useRef(false);

  // The workspace's import settings: as loaded, then as the last change returned them.
  const settings = useLoad((b) => b.importSettings(), [workspace?.id]);
  const [saved, setSaved] = useState<ImportSettings | null>(null);
  const [savingStrict, setSavingStrict] = useState(false);
  useEffect(() => setSaved(null), [settings.data]);
  const strict = (saved ?? settings.data)?.strict_import;

  const changeStrict = async (on: boolean) => {
    setSavingStrict(true);
    const v = await run((b) => b.setStrictImport(on), { ok: (s) => (s.strict_import ? "Strict reading on" : "Strict reading off") });
    setSavingStrict(false);
    if (v) setSaved(v);
  };

  /** After an import: the workspace's figures (top bar, dashboard) from the backend. */
  const refreshFigures = async () => {
    const d = await run((b) => b.dashboard());
    if (d) setWorkspace(d.workspace);
  };

  /** After a pull from the inbox that imported files: what an import does (the screens reload). */
  const afterInboxImport = async () => {
    bump();
    await refreshFigures();
  };

  const doImport = async (fn: () => Promise<ImportResult>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setProgress(null);
    const off = backend.onImportProgress(setProgress);
    const r = await run(fn, {
      ok: (v) => `Imported ${v.bank_lines.toLocaleString("en-US")} bank lines and ${v.ledger_entries.toLocaleString("en-US")} ledger entries`,
      change: true,
    });
    off();
    busyRef.current = false;
    setBusy(false);
    if (r) {
      setLastImport(r);
      await refreshFigures();
    }
  };

  // Tauri delivers dropped files as absolute paths (the fake: names under a demo folder).
  const importRef = useRef(doImport);
  importRef.current = doImport;
  useEffect(
    () =>
      backend.onFilesDropped(
        (dropped) => void importRef.current(() => backend.importFiles(dropped)),
        setHover,
      ),
    [backend],
  );

  const list = parsePaths(paths);
  const r = lastImport;
  const errors = r?.issues.filter((i) => i.severity === "error").length ?? 0;
  const warnings = r ? r.issues.length - errors : 0;

  return (
    <section className="screen" data-testid="screen-import">
      <header className="screen-head">
        <h1>Import</h1>
        <span className="muted">camt.052/053/054, MT940/942, BAI2, bank CSV and ledger extracts</span>
      </header>

      <div className="import-grid">
        <div className={`dropzone ${hover ? "hover" : ""}`} data-testid="import-dropzone" aria-label="Drop files here">
          <div className="dropzone-icon">⤓</div>
          <div className="strong">Drop statement files or ledger extracts here</div>
          <div className="muted small">Each file is imported whole or not at all; files already imported are skipped.</div>
        </div>

        <div className="card">
          <label className="field-label" htmlFor="import-paths">
            Or paste absolute paths, one per line
          </label>
          <textarea
            id="import-paths"
            className="mono"
            rows={4}
            value={paths}
            onChange={(e) => setPaths(e.target.value)}
            placeholder={"/home/me/statements/2026-11.camt053.xml\n/home/me/ledger/2026-11.csv"}
            data-testid="import-paths"
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && list.length) {
                e.preventDefault();
                void doImport(() => backend.importFiles(list));
              }
            }}
          />
          <div className="row gap">
            <button className="btn primary" disabled={busy || list.length === 0} onClick={() => void doImport(() => backend.importFiles(list))} data-testid="import-submit">
              Import {list.length > 0 ? `${list.length} file${list.length === 1 ? "" : "s"}` : "files"}
            </button>
            <button className="btn" disabled={busy} onClick={() => void doImport(() => backend.importDemoSamples())} data-testid="import-demo">
              Load demo samples
            </button>
            <span className="spacer" />
            {busy && <span className="muted">Importing…</span>}
          </div>
          {strict !== undefined && (
            <div className="import-setting" data-testid="import-strict" data-strict={String(strict)}>
              <label>
                <input
                  type="checkbox"
                  checked={strict}
                  disabled={savingStrict}
                  onChange={(e) => void changeStrict(e.target.checked)}
                  data-testid="import-strict-toggle"
                />{" "}
                Refuse files that deviate from their format (strict reading)
              </label>
              <div className="muted small">Off: deviations are read and kept as warnings on the statement. Applies to every import into this workspace; changing it is audited.</div>
            </div>
          )}
        </div>
      </div>

      <InboxPanel onImported={afterInboxImport} />

      {busy && (
        <ProgressBar
          testid="import-progress"
          done={progress?.files_done ?? 0}
          total={progress?.files_total ?? 0}
          label={
            progress
              ? `${progress.files_done} / ${progress.files_total} files · ${progress.records.toLocaleString("en-US")} records${progress.file ? ` · ${progress.file}` : ""}`
              : "Starting…"
          }
        />
      )}

      {r && (
        <div className="import-results" data-testid="import-results">
          <div className="summary-line" data-testid="import-summary" data-bank-lines={r.bank_lines} data-ledger-entries={r.ledger_entries}>
            <span>
              <span className="strong">{r.bank_lines.toLocaleString("en-US")}</span> bank lines
            </span>
            <span>
              <span className="strong">{r.ledger_entries.toLocaleString("en-US")}</span> ledger entries
            </span>
            <span>{r.files.length} files</span>
            <Badge kind={errors ? "bad" : "neutral"}>{errors} errors</Badge>
            <Badge kind={warnings ? "warn" : "neutral"}>{warnings} warnings</Badge>
          </div>
          <div className="card flush">
            <div className="card-title">Files</div>
            <table className="table" data-testid="import-files-table">
              <thead>
                <tr>
                  <th>File</th>
                  <th>Status</th>
                  <th className="num">Statements</th>
                  <th className="num">Records</th>
                </tr>
              </thead>
              <tbody>
                {r.files.map((f, i) => (
                  <tr key={`${f.file}-${i}`} data-testid="import-file-row" data-status={f.status}>
                    <td className="mono">{f.file}</td>
                    <td>
                      <Badge kind={f.status === "imported" ? "ok" : f.status === "skipped" ? "neutral" : "bad"}>{f.status}</Badge>
                    </td>
                    <td className="num">{f.statements}</td>
                    <td className="num">{f.records.toLocaleString("en-US")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="card flush">
            <div className="card-title">Issues ({r.issues.length})</div>
            <table className="table" data-testid="import-issues-table">
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>File</th>
                  <th className="num">Line</th>
                  <th>Message</th>
                  <th>Excerpt</th>
                </tr>
              </thead>
              <tbody>
                {r.issues.map((x, i) => (
                  <tr key={i} data-testid="import-issue-row" data-severity={x.severity} className={`issue-${x.severity}`}>
                    <td>
                      <Badge kind={x.severity === "error" ? "bad" : "warn"}>{x.severity}</Badge>
                    </td>
                    <td className="mono small">{x.file}</td>
                    <td className="num">{x.line ?? "—"}</td>
                    <td>{x.message}</td>
                    <td>{x.excerpt ? <code className="excerpt">{x.excerpt}</code> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
                {r.issues.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No issues.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
