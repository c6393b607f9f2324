import type { Role } from "./Role";

export type Profile = { user: string, display_name: string, role: Role, };
