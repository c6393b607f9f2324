import { describe, expect, it } from "vitest";
import { formatMinor, formatMoney, formatPermille, parseMinor, sumMinor, toSafeNumber } from "./money";

describe("formatMinor", () => {
  it("formats with the exponent and thousands groups", () => {
    expect(formatMinor(123456, 2)).toBe("1,234.56");
    expect(formatMinor(100, 2)).toBe("1.00");
    expect(formatMinor(0, 2)).toBe("0.00");
    expect(formatMinor(5, 2)).toBe("0.05");
    expect(formatMinor(123456789012, 2)).toBe("1,234,567,890.12");
    expect(formatMinor(999, 2)).toBe("9.99");
    expect(formatMinor(100000, 2)).toBe("1,000.00");
  });
  it("puts a minus on negatives", () => {
    expect(formatMinor(-123456, 2)).toBe("-1,234.56");
    expect(formatMinor(-5, 2)).toBe("-0.05");
    expect(formatMinor(-100, 0)).toBe("-100");
  });
  it("handles exponents 0 and 3", () => {
    expect(formatMinor(1234, 0)).toBe("1,234");
    expect(formatMinor(1234567, 3)).toBe("1,234.567");
    expect(formatMinor(7, 3)).toBe("0.007");
  });
  it("handles values beyond 2^53 as bigint", () => {
    expect(formatMinor(9223372036854775807n, 2)).toBe("92,233,720,368,547,758.07");
    expect(formatMinor(-9223372036854775808n, 2)).toBe("-92,233,720,368,547,758.08");
  });
  it("options: no grouping, explicit plus", () => {
    expect(formatMinor(123456, 2, { group: "" })).toBe("1234.56");
    expect(formatMinor(250, 2, { plus: true })).toBe("+2.50");
    expect(formatMinor(0, 2, { plus: true })).toBe("0.00");
    expect(formatMinor(-250, 2, { plus: true })).toBe("-2.50");
  });
  it("refuses fractions and bad exponents", () => {
    expect(() => formatMinor(1.5, 2)).toThrow(RangeError);
    expect(() => formatMinor(1, -1)).toThrow(RangeError);
  });
  it("formatMoney appends the currency", () => {
    expect(formatMoney(-48025, 2, "EUR")).toBe("-480.25 EUR");
  });
});

describe("sumMinor / toSafeNumber", () => {
  it("sums exactly where floats would not", () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; in minor units it is 30.
    expect(sumMinor([10, 20])).toBe(30n);
    expect(sumMinor([Number.MAX_SAFE_INTEGER, 2])).toBe(9007199254740993n);
    expect(sumMinor([])).toBe(0n);
    expect(sumMinor([125000, -48025, -76975])).toBe(0n);
  });
  it("toSafeNumber refuses unsafe values", () => {
    expect(toSafeNumber(42n)).toBe(42);
    expect(() => toSafeNumber(9007199254740993n)).toThrow(RangeError);
  });
});

describe("parseMinor", () => {
  it("parses without rounding", () => {
    expect(parseMinor("1,234.56", 2)).toBe(123456n);
    expect(parseMinor("-0.5", 2)).toBe(-50n);
    expect(parseMinor("12", 2)).toBe(1200n);
    expect(parseMinor(".5", 2)).toBe(50n);
    expect(parseMinor("1.230", 2)).toBe(123n);
    expect(parseMinor("1.234", 2)).toBeNull();
    expect(parseMinor("abc", 2)).toBeNull();
    expect(parseMinor("7", 0)).toBe(7n);
  });
});

describe("formatPermille", () => {
  it("one decimal", () => {
    expect(formatPermille(875)).toBe("87.5%");
    expect(formatPermille(1000)).toBe("100.0%");
    expect(formatPermille(0)).toBe("0.0%");
    expect(formatPermille(5)).toBe("0.5%");
  });
});
