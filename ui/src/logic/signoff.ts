import type { Role } from "../bindings/Role";
import type { SignOffState } from "../bindings/SignOffState";

export interface ButtonState {
  enabled: boolean;
  /** Highlighted as the action this role is expected to take now. */
  primary: boolean;
  hint: string;
}

/**
 * Which sign-off buttons are usable. The state decides what is possible at all; the role only
 * decides what is highlighted. The backend enforces the roles and maker-checker (and its
 * refusal, e.g. not_allowed when the preparer tries to approve, is shown as returned), so
 * role-wise the buttons stay clickable.
 */
export function signOffButtons(state: SignOffState, role: Role, unexplainedMinor: number): { prepare: ButtonState; approve: ButtonState; reject: ButtonState } {
  const canPrepare = state === "open" || state === "in_review";
  const reviewable = state === "prepared";
  return {
    prepare: {
      enabled: canPrepare,
      primary: canPrepare && role === "clerk" && unexplainedMinor === 0,
      hint: !canPrepare
        ? `Already ${state.replace("_", " ")}`
        : unexplainedMinor !== 0
          ? "The unexplained difference must be 0 to prepare"
          : role === "clerk"
            ? "Prepare for a supervisor's approval"
            : "Preparing needs the clerk role",
    },
    approve: {
      enabled: reviewable,
      primary: reviewable && role === "supervisor",
      hint: !reviewable ? "Only a prepared reconciliation can be approved" : role === "supervisor" ? "Approve (not if you prepared it)" : "Approving needs the supervisor role",
    },
    reject: {
      enabled: reviewable,
      primary: false,
      hint: !reviewable ? "Only a prepared reconciliation can be rejected" : "Send back to review with a reason",
    },
  };
}
