import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Event, IEventManager, ServerConnection } from '@jupyterlab/services';
import { Stream } from '@lumino/signaling';

/**
 * An event manager for servers without an event bus. jupyter_server < 2 (Debian 12 ships 1.23) has no
 * `/api/events`, and JupyterLab's own event manager would retry its websocket there every few seconds.
 * Nothing is ever emitted; emitting is refused with a clear error. The server side of this host
 * disables either this plugin or JupyterLab's, depending on the jupyter_server version.
 */
class ServerWithoutEventsManager implements Event.IManager {
  readonly serverSettings = ServerConnection.makeSettings();
  private readonly _stream = new Stream<this, Event.Emission>(this);
  private _isDisposed = false;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get stream(): Event.Stream {
    return this._stream;
  }

  async emit(event: Event.Request): Promise<void> {
    throw new Error(
      `Cannot emit the event ${event.schema_id}: this jupyter_server has no event bus (it needs jupyter_server >= 2).`
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._stream.stop();
  }
}

const eventManagerPlugin: JupyterFrontEndPlugin<Event.IManager> = {
  id: 'seed-lab-host:event-manager',
  description: 'An event manager that stays silent on servers without an event bus (jupyter_server 1.x).',
  autoStart: true,
  provides: IEventManager,
  activate: () => new ServerWithoutEventsManager()
};

/** Plugins this host adds to the standard JupyterLab so that it runs on Debian's jupyter_server. */
export const hostPlugins: JupyterFrontEndPlugin<unknown>[] = [eventManagerPlugin];
