import { SHORTCUTS } from "./use-shortcuts.js";

export function ShortcutsDialog() {
  return (
    <div class="shortcuts card" role="dialog" aria-label="Keyboard shortcuts">
      <h3>Keyboard shortcuts</h3>
      <table class="kv">
        <tbody>
          {SHORTCUTS.map(([key, meaning]) => (
            <tr key={key}>
              <th>
                <kbd>{key}</kbd>
              </th>
              <td>{meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
