export type SignOffState = "open" | "in_review" | "prepared" | "approved";
