import { App } from 'cdk8s';
import { Classroom } from '../constructs/classroom';
import { ClassroomStacks } from '../constructs/attendee-props';
import { Profile } from '../src/profile';

/** What every attendee of the example class gets: dockercoins and a webconsole of their own. */
export const CLASSROOM_STACKS: ClassroomStacks = {
  dockercoins: { workerReplicas: 2 },
  webconsole: true,
};

/** A small class: three attendees, each in namespace `classroom-<name>`. */
export function classroomApp(app: App, profile: Profile): void {
  new Classroom(app, 'classroom', {
    profile,
    attendees: ['Alice', 'Bob', 'Zoë Martin'],
    stacks: CLASSROOM_STACKS,
  });
}
