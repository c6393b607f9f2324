import { useEffect, useState } from "react";
import type { About } from "../bindings/About";
import { SHORTCUTS } from "../logic/shortcuts";
import { useApp } from "../state/app";

export function HelpOverlay() {
  const { helpOpen, setHelpOpen, backend } = useApp();
  const [about, setAbout] = useState<About | null>(null);
  useEffect(() => {
    if (!helpOpen) return;
    let live = true;
    backend.about().then(
      (a) => live && setAbout(a),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [helpOpen, backend]);
  if (!helpOpen) return null;
  return (
    <div className="overlay" data-testid="help-overlay" onClick={() => setHelpOpen(false)}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <div className="dialog-head">
          <h2>Keyboard shortcuts</h2>
          <button className="btn ghost small" onClick={() => setHelpOpen(false)} data-testid="help-close" autoFocus>
            Close (Esc)
          </button>
        </div>
        <table className="table shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <td>
                  <kbd>{s.keys}</kbd>
                </td>
                <td>{s.what}</td>
                <td className="muted">{s.where ?? "anywhere"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>About</h2>
        {about ? (
          <table className="table small" data-testid="about">
            <tbody>
              <tr>
                <td>{about.product}</td>
                <td data-testid="about-version" data-version={about.version}>
                  version {about.version}
                </td>
              </tr>
              <tr>
                <td>System</td>
                <td>{about.os}</td>
              </tr>
              <tr>
                <td>Workspace schema</td>
                <td data-testid="about-schema">v{about.workspace_schema}</td>
              </tr>
              <tr>
                <td>Workspaces</td>
                <td className="mono">{about.workspaces_folder}</td>
              </tr>
              <tr>
                <td>Sign-in</td>
                <td data-testid="about-identity">{about.identity}</td>
              </tr>
              <tr>
                <td>Statement inbox</td>
                <td className="mono">{about.inbox}</td>
              </tr>
            </tbody>
          </table>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    </div>
  );
}
