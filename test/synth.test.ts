import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addWorkshop } from '../apps/workshop';
import { synthYaml } from '../src/synth';

/** Two charts added in the opposite order of their dependency, with construct-level dependencies inside. */
function dependentApp(): App {
  const app = new App();
  const late = new Chart(app, 'late', { namespace: 'late' });
  const early = new Chart(app, 'early', { namespace: 'early' });
  late.addDependency(early);
  new k8s.KubeConfigMap(early, 'settings');
  // Within `late`, the group declared first depends on the one declared second.
  const consumers = new Construct(late, 'consumers');
  new k8s.KubeDeployment(consumers, 'consumer', { spec: { selector: {}, template: {} } });
  const providers = new Construct(late, 'providers');
  new k8s.KubeService(providers, 'provider');
  consumers.node.addDependency(providers);
  new Chart(late, 'nested', { namespace: 'nested' }).node.addDependency(early);
  new k8s.KubeSecret(late.node.findChild('nested'), 'secret');
  return app;
}

const order = (yaml: string) => [...yaml.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);

describe('synthYaml', () => {
  test('writes what app.synthYaml() writes, with chart and construct dependencies honoured', () => {
    const yaml = synthYaml(dependentApp());
    expect(yaml).toBe(dependentApp().synthYaml());
    expect(order(yaml)).toEqual(['ConfigMap', 'Secret', 'Service', 'Deployment']);
  });

  test('writes what app.synthYaml() writes for several copies of the workshop', () => {
    const workshop = () => {
      const app = new App();
      for (const suffix of ['', '-a', '-b']) addWorkshop(app, 'cloud', suffix);
      return app;
    };
    expect(synthYaml(workshop())).toBe(workshop().synthYaml());
  });

  test('validates the app once, however many charts it has (cdk8s does it once per chart)', () => {
    const app = new App();
    for (let i = 0; i < 20; i++) new k8s.KubeConfigMap(new Chart(app, `chart${i}`), 'config');
    let validations = 0;
    app.node.addValidation({
      validate: () => {
        validations++;
        return [];
      },
    });
    synthYaml(app);
    expect(validations).toBe(1);
  });

  test('fails on a construct that does not validate, as cdk8s does', () => {
    const app = new App();
    const chart = new Chart(app, 'chart');
    new k8s.KubeConfigMap(chart, 'config');
    chart.node.addValidation({ validate: () => ['replicas must be positive'] });
    expect(() => synthYaml(app)).toThrow('[chart] replicas must be positive');
  });

  test('an app without charts is empty, as with cdk8s', () => {
    expect(synthYaml(new App())).toBe(new App().synthYaml());
  });
});
