// Deterministic demo data for the fake backend: bank lines, ledger entries and a "plan" of
// which of them belong together (what a matcher would find). Same seed, same data.
import { formatMinor } from "../money";
import type { Side } from "./Backend";

export interface FakeItem {
  side: Side;
  id: string;
  amount: number; // minor units
  date: string; // YYYY-MM-DD
  reference: string;
  description: string;
  counterparty: string;
  file: string;
}

/** What the fake matcher will find: a confirmed group ("auto") or a suggestion. */
export interface Plan {
  rule: string;
  kind: "auto" | "suggest";
  bank: string[];
  ledger: string[];
  score: number;
  explanation: string;
}

export interface Dataset {
  /** Bank lines per statement file, in file order. */
  statements: { file: string; lines: FakeItem[] }[];
  ledgerFile: string;
  ledger: FakeItem[];
  plans: Plan[];
}

/** mulberry32: tiny deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(fromIso: string, toIso: string): number {
  const a = Date.parse(`${fromIso}T00:00:00Z`);
  const b = Date.parse(`${toIso}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000);
}

export const COUNTERPARTIES = [
  "Northwind Traders",
  "Globex Corporation",
  "Initech",
  "Umbrella Retail",
  "Contoso Ltd",
  "Fabrikam Inc",
  "Wayne Enterprises",
  "Stark Industries",
  "Acme Corp",
  "Hooli",
  "Vandelay Industries",
  "Tyrell Corp",
  "Cyberdyne Systems",
  "Soylent Foods",
  "Massive Dynamic",
  "Oceanic Airlines",
];

export interface GenOptions {
  seed: number;
  /** First day of the period. */
  start: string;
  /** Days in the period. */
  days: number;
  /** Multiplies every count below (1 = ~115 bank lines, ~125 ledger entries). */
  scale: number;
  /** Minor units per step of the amount ranges below (100 = 1.00 with exponent 2). */
  unit: number;
  exponent: number;
  statementFiles: string[];
  ledgerFile: string;
  bankPrefix: string;
  ledgerStart: number;
}

export function generate(o: GenOptions): Dataset {
  const r = rng(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const amountIn = (lo: number, hi: number) => int(lo, hi) * o.unit;
  const day = (from = 0, to = o.days - 1) => addDays(o.start, int(from, to));

  const bank: FakeItem[] = [];
  const ledger: FakeItem[] = [];
  const plans: Plan[] = [];
  let bankSeq = 0;
  let ledgerSeq = o.ledgerStart;
  let invoice = 1000 + Math.floor(o.seed % 7) * 100;
  const usedAmounts = new Set<number>();
  const uniqueAmount = (lo: number, hi: number, sign: 1 | -1) => {
    for (;;) {
      const a = sign * (amountIn(lo, hi) + int(0, 99));
      if (!usedAmounts.has(a)) {
        usedAmounts.add(a);
        return a;
      }
    }
  };
  const newBank = (amount: number, date: string, reference: string, description: string, counterparty: string): FakeItem => {
    bankSeq += 1;
    const it: FakeItem = {
      side: "bank",
      id: `${o.bankPrefix}-${String(bankSeq).padStart(5, "0")}`,
      amount,
      date,
      reference,
      description,
      counterparty,
      file: "",
    };
    bank.push(it);
    return it;
  };
  const newLedger = (amount: number, date: string, reference: string, description: string, counterparty: string): FakeItem => {
    ledgerSeq += 1;
    const it: FakeItem = {
      side: "ledger",
      id: `GL-${ledgerSeq}`,
      amount,
      date,
      reference,
      description,
      counterparty,
      file: o.ledgerFile,
    };
    ledger.push(it);
    return it;
  };
  const n = (k: number) => Math.max(1, Math.round(k * o.scale));

  // 1. exact: same amount, same reference, bank 0-2 days after the booking.
  for (let i = 0; i < n(60); i++) {
    const cp = pick(COUNTERPARTIES);
    const incoming = r() < 0.6;
    const amt = uniqueAmount(100, 25000, incoming ? 1 : -1);
    const ref = incoming ? `INV-2026-${++invoice}` : `PO-${int(70000, 89999)}`;
    const d = day(0, o.days - 4);
    const l = newLedger(amt, d, ref, incoming ? `${cp} invoice ${ref.slice(-4)}` : `${cp} supplies`, cp);
    const b = newBank(amt, addDays(d, int(0, 2)), ref, incoming ? `SEPA CT ${cp.toUpperCase()} ${ref}` : `SEPA DD ${cp.toUpperCase()} ${ref}`, cp);
    plans.push({ rule: "exact", kind: "auto", bank: [b.id], ledger: [l.id], score: 100, explanation: `reference ${ref} and amount equal` });
  }
  // 2. amount_date: same unique amount within 3 days, no usable reference.
  for (let i = 0; i < n(15); i++) {
    const cp = pick(COUNTERPARTIES);
    const amt = uniqueAmount(50, 9000, r() < 0.5 ? 1 : -1);
    const d = day(0, o.days - 4);
    const l = newLedger(amt, d, `JE-${int(4000, 4999)}`, `${cp} settlement`, cp);
    const b = newBank(amt, addDays(d, int(1, 3)), "NOTPROVIDED", `TRF ${cp.toUpperCase()}`, cp);
    plans.push({
      rule: "amount_date",
      kind: "auto",
      bank: [b.id],
      ledger: [l.id],
      score: 95,
      explanation: `amount equal, dates ${daysBetween(l.date, b.date)} day(s) apart, the only candidate`,
    });
  }
  // 3. partial_payments: one invoice paid in two bank receipts.
  for (let i = 0; i < n(6); i++) {
    const cp = pick(COUNTERPARTIES);
    const ref = `INV-2026-${++invoice}`;
    const total = uniqueAmount(2000, 20000, 1);
    const first = Math.floor(total / 200) * 100;
    const d = day(0, o.days - 10);
    const l = newLedger(total, d, ref, `${cp} invoice ${ref.slice(-4)}`, cp);
    const b1 = newBank(first, addDays(d, int(1, 4)), `${ref} PART 1`, `SEPA CT ${cp.toUpperCase()} ${ref} 1/2`, cp);
    const b2 = newBank(total - first, addDays(d, int(5, 9)), `${ref} PART 2`, `SEPA CT ${cp.toUpperCase()} ${ref} 2/2`, cp);
    plans.push({ rule: "partial_payments", kind: "auto", bank: [b1.id, b2.id], ledger: [l.id], score: 98, explanation: `2 receipts for ${ref} add up to the invoice` });
  }
  // 4. batch_payments: one bank debit pays several ledger entries.
  for (let i = 0; i < n(4); i++) {
    const d = day(2, o.days - 3);
    const parts: FakeItem[] = [];
    const k = int(3, 5);
    const refs: string[] = [];
    for (let j = 0; j < k; j++) {
      const cp = pick(COUNTERPARTIES);
      const ref = `PO-${int(70000, 89999)}`;
      refs.push(ref);
      parts.push(newLedger(uniqueAmount(100, 4000, -1), addDays(d, -int(0, 2)), ref, `${cp} payment run`, cp));
    }
    const total = parts.reduce((s, p) => s + p.amount, 0);
    const b = newBank(total, d, `BATCH-${int(100, 999)}`, `PAYMENT RUN ${refs.join(" ")}`, "Own account");
    plans.push({ rule: "batch_payments", kind: "auto", bank: [b.id], ledger: parts.map((p) => p.id), score: 97, explanation: `bank text names ${k} ledger references whose sum equals the debit` });
  }
  // 5. fuzzy_reference suggestions: amount equal, reference mangled, dates apart.
  for (let i = 0; i < n(8); i++) {
    const cp = pick(COUNTERPARTIES);
    const inv = ++invoice;
    const ref = `INV-2026-${inv}`;
    const amt = uniqueAmount(200, 12000, 1);
    const d = day(0, o.days - 10);
    const l = newLedger(amt, d, ref, `${cp} invoice ${inv}`, cp);
    const mangled = pick([`INV2026 ${inv}`, `INV-2026-${inv}X`, `IN-2026-${inv}`, `${inv}/2026`]);
    const b = newBank(amt, addDays(d, int(5, 9)), mangled, `SEPA CT ${cp.toUpperCase()} ${mangled}`, cp);
    const score = int(62, 88);
    plans.push({
      rule: "fuzzy_reference",
      kind: "suggest",
      bank: [b.id],
      ledger: [l.id],
      score,
      explanation: `reference "${mangled}" is ${score}% similar to "${ref}"; amount equal; dates ${daysBetween(l.date, b.date)} days apart`,
    });
  }
  // 6. bank_charges suggestions: received less than invoiced, the bank kept a fee.
  for (let i = 0; i < n(5); i++) {
    const cp = pick(COUNTERPARTIES);
    const ref = `INV-2026-${++invoice}`;
    const amt = uniqueAmount(500, 15000, 1);
    const fee = pick([250, 500, 750, 1250, 1500]);
    const d = day(0, o.days - 6);
    const l = newLedger(amt, d, ref, `${cp} invoice ${ref.slice(-4)}`, cp);
    const b = newBank(amt - fee, addDays(d, int(1, 4)), ref, `SWIFT ${cp.toUpperCase()} ${ref} CHARGES OUR`, cp);
    plans.push({
      rule: "bank_charges",
      kind: "suggest",
      bank: [b.id],
      ledger: [l.id],
      score: 80,
      explanation: `reference ${ref} equal; bank amount is ${formatMinor(fee, o.exponent)} short of the invoice (a fee within the bank-charge tolerance)`,
    });
  }
  // 7. ambiguous: one bank receipt, two ledger entries with the same amount and close dates.
  for (let i = 0; i < n(3); i++) {
    const cp = pick(COUNTERPARTIES);
    const amt = uniqueAmount(300, 5000, 1);
    const d = day(3, o.days - 6);
    const l1 = newLedger(amt, d, `INV-2026-${++invoice}`, `${cp} invoice ${invoice}`, cp);
    const l2 = newLedger(amt, addDays(d, 2), `INV-2026-${++invoice}`, `${cp} invoice ${invoice}`, cp);
    const b = newBank(amt, addDays(d, 3), "NOTPROVIDED", `SEPA CT ${cp.toUpperCase()}`, cp);
    plans.push({ rule: "amount_date_review", kind: "suggest", bank: [b.id], ledger: [l1.id], score: 60, explanation: `amount equal, ${daysBetween(l1.date, b.date)} days apart; another entry has the same amount` });
    plans.push({ rule: "amount_date_review", kind: "suggest", bank: [b.id], ledger: [l2.id], score: 58, explanation: `amount equal, ${daysBetween(l2.date, b.date)} days apart; another entry has the same amount` });
  }
  // 8. bank only: fees, interest.
  for (let i = 0; i < n(6); i++) {
    newBank(-pick([450, 1250, 1875, 2500, 3900]), day(), "FEE", pick(["ACCOUNT MAINTENANCE FEE", "SWIFT CHARGES", "CARD TERMINAL FEE", "CASH HANDLING FEE"]), "Bank");
  }
  for (let i = 0; i < n(2); i++) {
    newBank(int(100, 900), day(o.days - 3), "INT", "CREDIT INTEREST", "Bank");
  }
  // 9. ledger only: outstanding cheques, deposits in transit, stale items carried over.
  for (let i = 0; i < n(7); i++) {
    const cp = pick(COUNTERPARTIES);
    newLedger(uniqueAmount(100, 6000, -1), day(o.days - 5), `CHQ-${int(100000, 199999)}`, `Cheque to ${cp}`, cp);
  }
  for (let i = 0; i < n(4); i++) {
    const cp = pick(COUNTERPARTIES);
    newLedger(uniqueAmount(300, 9000, 1), day(o.days - 2), `DEP-${int(1000, 9999)}`, `Deposit ${cp}`, cp);
  }
  for (let i = 0; i < n(6); i++) {
    const cp = pick(COUNTERPARTIES);
    newLedger(uniqueAmount(50, 3000, r() < 0.5 ? 1 : -1), addDays(o.start, -int(10, 140)), `JE-${int(1000, 3999)}`, `${cp} carried forward`, cp);
  }

  // Split bank lines over the statement files by date.
  bank.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
  const per = Math.ceil(bank.length / o.statementFiles.length);
  const statements = o.statementFiles.map((file, i) => {
    const lines = bank.slice(i * per, (i + 1) * per);
    for (const l of lines) l.file = file;
    return { file, lines };
  });
  ledger.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { statements, ledgerFile: o.ledgerFile, ledger, plans };
}

/** A large, mostly unmatched data set for grid performance (`count` items in total). */
export function generateStress(count: number, start: string, seed = 7): { bank: FakeItem[]; ledger: FakeItem[]; plans: Plan[] } {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const bank: FakeItem[] = [];
  const ledger: FakeItem[] = [];
  const plans: Plan[] = [];
  const half = Math.floor(count / 2);
  for (let i = 0; i < half; i++) {
    const cp = COUNTERPARTIES[i % COUNTERPARTIES.length]!;
    const amt = (r() < 0.5 ? -1 : 1) * int(100, 5_000_000);
    const date = addDays(start, -int(0, 180));
    bank.push({ side: "bank", id: `S-${String(i + 1).padStart(6, "0")}`, amount: amt, date, reference: `REF-${int(100000, 999999)}`, description: `TRF ${cp.toUpperCase()} ${i}`, counterparty: cp, file: "stress.camt053.xml" });
    const lamt = i % 50 === 0 ? amt : (r() < 0.5 ? -1 : 1) * int(100, 5_000_000);
    ledger.push({ side: "ledger", id: `L-${String(i + 1).padStart(6, "0")}`, amount: lamt, date: addDays(start, -int(0, 180)), reference: `JE-${int(100000, 999999)}`, description: `${cp} booking ${i}`, counterparty: cp, file: "stress-ledger.csv" });
    if (i % 50 === 0) {
      plans.push({ rule: "amount_date_review", kind: "suggest", bank: [bank[i]!.id], ledger: [ledger[i]!.id], score: 55, explanation: "amount equal; dates far apart" });
    }
  }
  return { bank, ledger, plans };
}
