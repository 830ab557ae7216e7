// A request as a route handler receives it: with the path parameters its route's pattern took
// (`:id` in `/v1/jobs/:id`), as they appear in the path (percent-encoded).

export type RoutedRequest = Request & { params: Record<string, string> };
