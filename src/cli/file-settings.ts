/**
 * Settings of the commands that also read a `--config` file (`crm`, `dme`): their `--help` lines, and where each
 * value comes from: the flag, else its environment variable (empty counts as unset), else the file (under the flag's
 * name, for settings marked `inFile`), else the default. Values come back as {@link Source}s, which name where they
 * came from for the one-line usage error of a bad value.
 */
import { loadConfigFile, settingText, type ConfigFile } from './config-file.js';
import { fail, type Source } from './setting-values.js';

/** One setting of a command with a config file. */
export interface FileSetting {
  readonly flag: string;
  readonly env: string;
  readonly fallback: string | undefined;
  readonly help: string;
  /** Settable in the config file (under its flag name). */
  readonly inFile: boolean;
}

/** The `flags:` lines of a command's `--help`: each flag with its variable, help and default, then `--help`. Pure. */
export function settingUsageLines(settings: readonly FileSetting[]): string[] {
  return [
    ...settings.map((s) => {
      const fallback = s.fallback === undefined ? '' : ` (default ${s.fallback})`;
      return `  --${s.flag.padEnd(18)} ${s.env.padEnd(28)} ${s.help}${fallback}`;
    }),
    `  --${'help'.padEnd(18)} ${''.padEnd(28)} show this help`,
  ];
}

/** The flag names of the settings marked `inFile`: the keys a config file may have. Pure. */
export function fileKeysOf(settings: readonly FileSetting[]): readonly string[] {
  return Object.freeze(settings.filter((s) => s.inFile).map((s) => s.flag));
}

/** Parsed command-line values by flag name (`node:util` parseArgs). */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/**
 * Resolves settings for one invocation. `file` is the config file named by the config setting (flag or variable),
 * loaded on construction; relative values from it resolve against its directory (`Source.base`), the others against
 * `cwd`. Throws the usage error of {@link loadConfigFile} for an unreadable or invalid file or an unknown key.
 */
export class SettingResolver {
  readonly file: ConfigFile | undefined;

  constructor(
    private readonly values: FlagValues,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly cwd: string,
    config: { readonly setting: FileSetting; readonly keys: readonly string[] },
  ) {
    const configSource = this.given(config.setting)[0];
    this.file = configSource ? loadConfigFile(configSource, { keys: config.keys }) : undefined;
  }

  /** The flag's values (several for a repeatable flag; `true` for a boolean one), else the variable's; else none. */
  given(setting: FileSetting): Source[] {
    const flagValue = this.values[setting.flag];
    const name = `--${setting.flag}`;
    const base = this.cwd;
    if (typeof flagValue === 'string') return [{ value: flagValue, name, base }];
    if (flagValue === true) return [{ value: 'true', name, base }];
    if (Array.isArray(flagValue) && flagValue.length > 0) return flagValue.map((value) => ({ value, name, base }));
    const envValue = this.env[setting.env];
    if (envValue !== undefined && envValue !== '') return [{ value: envValue, name: `${name} (from ${setting.env})`, base }];
    return [];
  }

  /**
   * The setting's value: flag > variable > file > default; undefined when none. `fileText` reads a key whose file
   * form is not plain text (a mapping); by default the key's scalar text.
   */
  source(setting: FileSetting, fileText?: (file: ConfigFile) => string | undefined): Source | undefined {
    const given = this.given(setting)[0];
    if (given) return given;
    const file = this.file;
    if (file && setting.inFile) {
      const text = fileText ? fileText(file) : settingText(file, setting.flag, `--${setting.flag}`);
      if (text !== undefined) return { value: text, name: `--${setting.flag} (from ${file.path})`, base: file.dir };
    }
    return setting.fallback === undefined ? undefined : { value: setting.fallback, name: `--${setting.flag}`, base: this.cwd };
  }

  /** Like {@link source}, for a required setting: a usage error naming the flag when it has no value. */
  get(setting: FileSetting, fileText?: (file: ConfigFile) => string | undefined): Source {
    return this.source(setting, fileText) ?? fail({ value: '', name: `--${setting.flag}` }, 'required');
  }
}
