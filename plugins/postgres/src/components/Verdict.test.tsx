import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { StepStatusIndicator, VerdictStatus } from './Verdict';

describe('status words are heard by screen readers', () => {
  // Backstage's Status* components are aria-hidden as a whole, word included
  it('a verdict has an accessible name', async () => {
    await renderInTestApp(<VerdictStatus verdict="degraded" />);
    expect(screen.getByRole('img', { name: 'Degraded' })).toBeInTheDocument();
  });

  it("a step's status has an accessible name, as shown", async () => {
    await renderInTestApp(
      <>
        <StepStatusIndicator status="error" verdict="failed" />
        <StepStatusIndicator status="error" verdict="degraded" />
        <StepStatusIndicator status="ok" />
      </>,
    );
    expect(screen.getByRole('img', { name: 'Error' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Degraded' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'OK' })).toBeInTheDocument();
  });
});
