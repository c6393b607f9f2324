import { useEffect, useState } from "react";
import { toBackendError } from "../backend/errors";
import { clockTime, sessionBanner, signInErrorText } from "../logic/auth";
import { useApp } from "../state/app";

/** Seconds between re-reads of the sign-in status while signed in (session end, online). */
const POLL_MS = 30_000;

/**
 * The verified session's banner: offline (reviewing on the offline grace), or the sign-in ends
 * within ten minutes (or has ended), with "Sign in again". Also keeps the app's sign-in status
 * current while signed in.
 */
export function SessionBanner(props: { pollMs?: number; now?: () => number }) {
  const { backend, auth, setAuth } = useApp();
  const nowFn = props.now ?? (() => Date.now());
  const [now, setNow] = useState(() => Math.floor(nowFn() / 1000));
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const verified = auth?.verified != null;

  useEffect(() => {
    if (!verified) return;
    let live = true;
    const tick = () => {
      setNow(Math.floor(nowFn() / 1000));
      backend.authStatus().then(
        (a) => {
          if (live) setAuth(a);
        },
        () => {
          /* the next poll tries again */
        },
      );
    };
    const t = setInterval(tick, props.pollMs ?? POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, verified, props.pollMs]);

  const b = sessionBanner(auth, now);
  if (!b) return null;

  const again = async () => {
    setBusy(true);
    setFailed(null);
    try {
      const a = await backend.signInOkta(false);
      setAuth(a);
      setNow(Math.floor(nowFn() / 1000));
    } catch (e) {
      setFailed(signInErrorText(toBackendError(e).code));
    }
    setBusy(false);
  };

  const until = b.endsAt === null ? "" : clockTime(b.endsAt);
  return (
    <div className={`session-banner session-${b.kind}`} role="status" data-testid="session-banner" data-kind={b.kind}>
      <span className="grow">
        {b.kind === "offline" && (
          <>
            <span className="strong">Offline.</span> You keep reviewing as {auth?.verified?.display_name}
            {until && ` until ${until}`} (your last verified sign-in); approving needs a connection and a fresh sign-in.
          </>
        )}
        {b.kind === "ending" && (
          <>
            <span className="strong">Your sign-in ends at {until}</span> (in {b.minutesLeft} min). Sign in again to keep working; nothing you did is lost.
          </>
        )}
        {b.kind === "ended" && (
          <>
            <span className="strong">Your sign-in has ended.</span> Sign in again to keep working; nothing you did is lost.
          </>
        )}
        {failed && <span className="bad-text"> {failed}</span>}
      </span>
      {b.kind !== "offline" && (
        <button className="btn small" disabled={busy} onClick={() => void again()} data-testid="session-sign-in">
          {busy ? "Waiting for the browser…" : "Sign in again"}
        </button>
      )}
    </div>
  );
}
