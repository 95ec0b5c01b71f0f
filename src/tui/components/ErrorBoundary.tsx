import React from 'react';

/** Props of the boundary that keeps a rendering bug from printing a stack trace. */
export interface ErrorBoundaryProps {
  /** Called with a one-line description; the caller ends the program cleanly. */
  onFatal: (message: string) => void;
  children: React.ReactNode;
}

interface ErrorBoundaryState {
  failed: boolean;
}

/**
 * Ink shows a component's exception with its stack over the whole screen.
 * The TUI promises never to: this boundary reports one line and lets the
 * caller restore the terminal and exit.
 */
export class ErrorBoundary extends React.Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { failed: false };

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    this.props.onFatal(error instanceof Error ? error.message : String(error));
  }

  override render(): React.ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}
