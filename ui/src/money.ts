// Money is carried as integer minor units plus the currency's exponent (ISO 4217 digits).
// Nothing here uses floating point on amounts: formatting works on the decimal digits of a
// BigInt, sums are BigInt sums.

export type Minor = number | bigint;

function toBig(v: Minor): bigint {
  if (typeof v === "bigint") return v;
  if (!Number.isInteger(v)) throw new RangeError(`not an integer amount of minor units: ${v}`);
  return BigInt(v);
}

function group3(digits: string, sep: string): string {
  if (!sep || digits.length <= 3) return digits;
  const head = digits.length % 3;
  const parts: string[] = [];
  if (head) parts.push(digits.slice(0, head));
  for (let i = head; i < digits.length; i += 3) parts.push(digits.slice(i, i + 3));
  return parts.join(sep);
}

export interface FormatOptions {
  /** Thousands separator; "" for none. Default ",". */
  group?: string;
  /** Show "+" on positive amounts (differences, signed effects). Default false. */
  plus?: boolean;
}

/** 123456 with exponent 2 -> "1,234.56"; -5 -> "-0.05"; exponent 0 -> no decimal point. */
export function formatMinor(minor: Minor, exponent: number, opts: FormatOptions = {}): string {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 18) {
    throw new RangeError(`bad currency exponent: ${exponent}`);
  }
  const sep = opts.group ?? ",";
  const v = toBig(minor);
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString();
  if (exponent > 0) digits = digits.padStart(exponent + 1, "0");
  const intPart = exponent > 0 ? digits.slice(0, digits.length - exponent) : digits;
  const frac = exponent > 0 ? digits.slice(digits.length - exponent) : "";
  const sign = negative ? "-" : opts.plus && v > 0n ? "+" : "";
  return sign + group3(intPart, sep) + (frac ? "." + frac : "");
}

/** "1,234.56 EUR" */
export function formatMoney(minor: Minor, exponent: number, currency: string, opts: FormatOptions = {}): string {
  return `${formatMinor(minor, exponent, opts)} ${currency}`.trim();
}

/** Exact sum of minor-unit amounts. */
export function sumMinor(values: Iterable<Minor>): bigint {
  let total = 0n;
  for (const v of values) total += toBig(v);
  return total;
}

/** Back to a JS number for the IPC layer; refuses values that a double cannot hold exactly. */
export function toSafeNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`amount out of safe range: ${v}`);
  }
  return Number(v);
}

/**
 * Parses "1,234.56" / "-0.5" / "12" into minor units without rounding: more decimals than the
 * exponent are accepted only when they are zeros. Returns null for anything else.
 */
export function parseMinor(text: string, exponent: number): bigint | null {
  const t = text.trim().replace(/[,\s']/g, "");
  const m = /^([+-])?(\d+)(?:\.(\d*))?$/.exec(t) ?? /^([+-])?()\.(\d+)$/.exec(t);
  if (!m) return null;
  const [, sign, int, fracRaw = ""] = m;
  let frac = fracRaw;
  if (frac.length > exponent) {
    if (!/^0*$/.test(frac.slice(exponent))) return null;
    frac = frac.slice(0, exponent);
  }
  const digits = (int || "0") + frac.padEnd(exponent, "0");
  const v = BigInt(digits);
  return sign === "-" ? -v : v;
}

/** 875 -> "87.5%" (one decimal, integer arithmetic). */
export function formatPermille(permille: number): string {
  const p = Math.trunc(permille);
  const neg = p < 0;
  const a = Math.abs(p);
  return `${neg ? "-" : ""}${Math.trunc(a / 10)}.${a % 10}%`;
}
