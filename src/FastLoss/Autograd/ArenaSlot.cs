namespace FastLoss.Autograd;

/// <summary>
/// One position in a thread's sequence of calls: the plans (nodes) of the calls that have run there, a few of
/// them, so that going back to an earlier batch size or alternating between two call patterns plans nothing again.
/// </summary>
internal sealed class ArenaSlot
{
    /// <summary>
    /// Plans kept per position; the least recently used one that is free gives way to a new one. Every top-level call
    /// starts at the first position, so a step that calls more distinct modules from user code than this (a loss
    /// made of several criteria) would re-plan one of them each step: eight covers such steps for one scan of eight
    /// entries where the position changes hands.
    /// </summary>
    public const int PlansPerSlot = 8;

    private readonly Node?[] _plans = new Node?[PlansPerSlot];
    private readonly int[] _lastUse = new int[PlansPerSlot];
    private int _last;

    /// <summary>The plans at this position (entries may be null).</summary>
    public ReadOnlySpan<Node?> Plans => _plans;

    /// <summary>
    /// The plan for a <typeparamref name="T"/> call by <paramref name="owner"/> on <paramref name="key"/>: an existing
    /// free one, or a new one in an empty or reusable entry. Null when this position cannot serve the call now (its
    /// matching plan, or every entry, is still kept), so the arena moves on to the next position.
    /// </summary>
    public T? Take<T>(GraphArena arena, object owner, ReadOnlySpan<int> key, int call)
        where T : Node, new()
    {
        // The plan used last time here, in the steady state of a loop.
        Node? recent = _plans[_last];
        if (recent is not null && recent.GetType() == typeof(T) && recent.Serves(owner, key))
        {
            if (recent.IsKept(call))
            {
                return null;
            }

            _lastUse[_last] = call;
            return (T)recent;
        }

        int victim = -1;
        for (int i = 0; i < PlansPerSlot; i++)
        {
            Node? plan = _plans[i];
            if (plan is null)
            {
                victim = victim < 0 || _plans[victim] is not null ? i : victim;
                continue;
            }

            bool kept = plan.IsKept(call);
            if (plan is T match && match.Serves(owner, key))
            {
                if (kept)
                {
                    return null;
                }

                _lastUse[i] = call;
                _last = i;
                return match;
            }

            if (!kept && (victim < 0 || (_plans[victim] is not null && _lastUse[i] < _lastUse[victim])))
            {
                victim = i;
            }
        }

        if (victim < 0)
        {
            return null;
        }

        var created = new T();
        created.Bind(arena, owner, key);
        _plans[victim] = created;
        _lastUse[victim] = call;
        _last = victim;
        return created;
    }
}
