import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';

/**
 * The same YAML as `app.synthYaml()`, in time linear in the size of the app.
 *
 * cdk8s renders each chart with `Chart.toJson()`, which resolves dependencies and validates the
 * whole app every time (cdk8s-team/cdk8s-core#1658 kept that), so an app of N charts costs O(N²):
 * at 500 copies of the workshop that was close to half the synthesis. Here the app-wide phases run
 * once and every chart is then rendered on its own, ordered exactly as cdk8s orders it.
 */
export function synthYaml(app: App): string {
  const [first] = app.charts;
  if (!first) return app.synthYaml();
  // The app-wide phases are not public API; one chart's toJson() runs them (and throws on invalid props).
  first.toJson();
  return Yaml.stringify(...app.charts.flatMap(chartObjects));
}

/** A chart's own API objects (not those of nested charts), in dependency order, as JSON. */
function chartObjects(chart: Chart): unknown[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((obj) => obj.toJson());
}
