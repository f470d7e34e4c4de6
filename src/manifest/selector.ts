/**
 * A Kubernetes label selector (`matchLabels` and `matchExpressions`). This file is the one place labels
 * are matched against selectors.
 */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Whether a label selector matches a set of labels, with the API server's semantics (empty matches all). */
export function matchesSelector(selector: LabelSelectorSpec | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return key in labels && values.includes(labels[key]);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          return false;
      }
    })
  );
}

/** Whether a Service-style selector (labels only, as in `Service.spec.selector`) matches a set of labels. */
export function selects(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  return matchesSelector({ matchLabels }, labels);
}
