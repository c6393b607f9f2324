import { SHORTCUTS } from "../logic/shortcuts";
import { useApp } from "../state/app";

export function HelpOverlay() {
  const { helpOpen, setHelpOpen } = useApp();
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
      </div>
    </div>
  );
}
