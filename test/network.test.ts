import { App } from 'cdk8s';
import { Dockercoins } from '../constructs/dockercoins';
import { WebConsole } from '../constructs/webconsole';
import { NetworkTraffic } from '../src/network-traffic';
import { StackChart } from '../src/stack-chart';
import { findObject, synthStack } from './helpers';

describe('NetworkTraffic', () => {
  test('stacks that share a namespace share its one default deny', () => {
    const objects = synthStack(
      (chart) => {
        new Dockercoins(chart, 'dockercoins');
        new WebConsole(chart, 'webconsole');
      },
      { namespace: 'shared' },
    );
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny')).toHaveLength(1);
    expect(findObject(objects, 'NetworkPolicy', 'webconsole', 'shared')).toBeDefined();
  });

  test('"anywhere" is every address unless confined to outside the pod network and the own namespace', () => {
    const open = synthStack((chart) => new WebConsole(chart, 'webconsole'));
    expect((findObject(open, 'NetworkPolicy', 'webconsole').spec as any).ingress).toEqual([
      { ports: [{ port: 5000, protocol: 'TCP' }] },
    ]);

    const app = new App();
    NetworkTraffic.confineAnywhere(app, ['10.244.0.0/16']);
    const chart = new StackChart(app, 'confined');
    const traffic = new NetworkTraffic(chart, 'traffic');
    const pods = {
      name: 'mine',
      namespace: 'confined',
      selector: {},
      matchExpressions: [{ key: 'team', operator: 'Exists' }],
    };
    traffic.allowFromAnywhere(pods, []);
    traffic.allowToAnywhere(pods, [{ port: 443 }]);
    const spec = findObject(chart.toJson(), 'NetworkPolicy', 'mine').spec as any;
    const anywhere = [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }, { podSelector: {} }];
    expect(spec.podSelector).toEqual({ matchExpressions: [{ key: 'team', operator: 'Exists' }] });
    // An empty list of ports is every port.
    expect(spec.ingress).toEqual([{ from: anywhere }]);
    expect(spec.egress[1]).toEqual({ to: anywhere, ports: [{ port: 443, protocol: 'TCP' }] });
  });

  test('confinement must come before the constructs it governs, and needs a CIDR', () => {
    const app = new App();
    new StackChart(app, 'first');
    expect(() => NetworkTraffic.confineAnywhere(app, ['10.244.0.0/16'])).toThrow(/after children/);
    expect(() => NetworkTraffic.confineAnywhere(new App(), [])).toThrow(/at least one/);
  });
});
