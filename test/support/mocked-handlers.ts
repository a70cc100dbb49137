import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import { VirtualClock } from './virtual-clock';
import { createHandlers, HandlerOptions } from '../../lambda';

/**
 * The handler's entry points over a mocked Personalize client and a virtual clock,
 * both reset before each test of the file that calls this.
 */
export function mockedHandlers() {
  process.env.CDK_PERSONALIZE_SILENT = 'true';
  process.env.AWS_REGION = 'us-east-1';
  const personalizeMock = mockClient(PersonalizeClient);
  const clock = new VirtualClock();
  beforeEach(() => {
    personalizeMock.reset();
    clock.reset();
  });
  const handlers = (options: Omit<HandlerOptions, 'clock'> = {}) => createHandlers({ clock, ...options });
  return { personalizeMock, clock, handlers };
}
