import { useState } from "react";
import type { Adjustment } from "../bindings/Adjustment";
import type { AdjustmentReason } from "../bindings/AdjustmentReason";
import { ADJUSTMENT_REASONS, canBookAdjustment, canConfirm, runningDifference, selectionSize, type MatchSelection } from "../logic/manualMatch";
import { formatMinor, sumMinor } from "../money";

/** The running totals of a manual match and its two ways out: Confirm (difference 0) or
 * book the difference as an adjustment (reason + note). */
export function MatchBar(props: {
  selection: MatchSelection;
  exponent: number;
  currency: string;
  busy?: boolean;
  onSubmit: (adjustment: Adjustment | null) => void;
  onClear?: () => void;
}) {
  const { selection: sel, exponent: exp, currency: cur } = props;
  const [reason, setReason] = useState<AdjustmentReason | "">("");
  const [note, setNote] = useState("");
  const diff = runningDifference(sel);
  const bankTotal = sumMinor(sel.bank.map((p) => p.amount_minor));
  const ledgerTotal = sumMinor(sel.ledger.map((p) => p.amount_minor));
  const confirmOk = canConfirm(sel) && !props.busy;
  const adjustOk = canBookAdjustment(sel, reason, note) && !props.busy;
  const n = selectionSize(sel);

  const submit = () => {
    if (confirmOk) props.onSubmit(null);
    else if (adjustOk && reason !== "") props.onSubmit({ reason, note: note.trim() });
  };

  return (
    <div
      className="matchbar"
      data-testid="manual-matchbar"
      onKeyDown={(e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          submit();
        }
      }}
    >
      <div className="totals">
        <div>
          <div className="muted small">Bank ({sel.bank.length})</div>
          <div className="num strong" data-testid="manual-bank-total" data-minor={bankTotal.toString()} data-count={sel.bank.length}>
            {formatMinor(bankTotal, exp)}
          </div>
        </div>
        <div className="op">−</div>
        <div>
          <div className="muted small">Ledger ({sel.ledger.length})</div>
          <div className="num strong" data-testid="manual-ledger-total" data-minor={ledgerTotal.toString()} data-count={sel.ledger.length}>
            {formatMinor(ledgerTotal, exp)}
          </div>
        </div>
        <div className="op">=</div>
        <div>
          <div className="muted small">Difference {cur}</div>
          <div className={`num big ${diff === 0n ? (n ? "good" : "") : "bad"}`} data-testid="manual-difference" data-minor={diff.toString()}>
            {formatMinor(diff, exp, { plus: true })}
          </div>
        </div>
      </div>
      <div className="actions">
        {diff === 0n ? (
          <button className="btn primary" disabled={!confirmOk} onClick={submit} data-testid="manual-confirm" title="Ctrl+Enter">
            Confirm match{n ? ` (${n} items)` : ""}
          </button>
        ) : (
          <>
            <button className="btn primary" disabled data-testid="manual-confirm" title="The difference must be 0 to confirm a plain match">
              Confirm match
            </button>
            <select value={reason} onChange={(e) => setReason(e.target.value as AdjustmentReason | "")} data-testid="manual-adjust-reason" aria-label="Adjustment reason">
              <option value="">Reason…</option>
              {ADJUSTMENT_REASONS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <input
              type="text"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="Note (required)"
              data-testid="manual-adjust-note"
              aria-label="Adjustment note"
              className="note"
            />
            <button className="btn warn" disabled={!adjustOk} onClick={submit} data-testid="manual-book-adjustment" title="Ctrl+Enter">
              Book difference as adjustment
            </button>
          </>
        )}
        {props.onClear && (
          <button className="btn ghost" disabled={n === 0} onClick={props.onClear} data-testid="manual-clear">
            Clear
          </button>
        )}
      </div>
    </div>
  );
}
