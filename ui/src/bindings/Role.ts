export type Role = "clerk" | "supervisor";
