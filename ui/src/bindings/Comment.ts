export type Comment = { author: string, at: string, text: string, };
