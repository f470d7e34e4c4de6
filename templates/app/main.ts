import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiGateway, Dockercoins, StackChart, StackChartProps, profileFromEnv } from 'workshop-stacks';

/**
 * Dockercoins behind an API gateway, in a namespace of their own (the chart's id): the gateway sends
 * `/` to the dockercoins web UI. Add or change stacks here; `npx cdk8s synth` writes dist/ and checks it.
 */
export class ClassChart extends StackChart {
  constructor(scope: Construct, id: string, props: StackChartProps = {}) {
    super(scope, id, props);
    const coins = new Dockercoins(this, 'dockercoins', { workerReplicas: 2 });
    const gateway = new ApiGateway(this, 'gateway');
    gateway.addRoute({ pathPrefix: '/', service: coins.webui });
  }
}

// Synthesize when run as the app (`npx cdk8s synth` runs `npx ts-node main.ts`), not when a test imports the chart.
if (require.main === module) {
  const app = new App();
  // `local` (minikube: NodePorts) unless WORKSHOP_PROFILE says `cloud` (LoadBalancers, doubled resources),
  // as `npx workshop-stacks synth --profile cloud` sets it.
  new ClassChart(app, '{{namespace}}', { profile: profileFromEnv() });
  app.synth();
}
