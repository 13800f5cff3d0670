using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using FastLoss.Generators.Calculus;
using FastLoss.Generators.Diagnostics;
using FastLoss.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoss.Generators.Parsing;

/// <summary>
/// Reads one attributed declaration method into an <see cref="ElementwiseSpec"/>: checks its shape, classifies its
/// parameters, parses the formula (and a declared derivative) and differentiates it.
/// </summary>
internal static class DeclarationParser
{
    /// <summary>The most differentiable inputs a loss declaration may have.</summary>
    private const int MaxInputs = 4;

    /// <summary>Names the generated loops use for their own locals; a parameter may not take them.</summary>
    private static readonly HashSet<string> ReservedNames = new()
    {
        "input", "target", "loss", "inputGrad", "output", "outputGrad", "upstream", "reduction", "scale", "scaleV",
        "n", "i", "total", "acc", "pending", "gradient", "gradient1", "gradient2", "gradient3", "gradient4", "upstreamValue",
    };

    public static DeclarationResult Parse(GeneratorAttributeSyntaxContext context, ElementwiseKind kind, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var spec = TryParse(context, kind, diagnostics, cancellationToken);
        return new DeclarationResult(spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray()));
    }

    private static ElementwiseSpec? TryParse(GeneratorAttributeSyntaxContext context, ElementwiseKind kind, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var type = method.ContainingType;

        if (!DeclarationSymbols.IsStaticPartialTopLevel(type, cancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotStaticPartial, type.Locations.FirstOrDefault() ?? syntax.Identifier.GetLocation(), type.Name));
            return null;
        }

        if (!method.IsStatic || method.ReturnType.SpecialType != SpecialType.System_Single || syntax.ExpressionBody is null)
        {
            string reason = !method.IsStatic ? "it is not static"
                : method.ReturnType.SpecialType != SpecialType.System_Single ? $"it returns {method.ReturnType.ToDisplayString()}"
                : "it has a block body; write the formula as => expression";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAnExpressionBodiedFormula, syntax.Identifier.GetLocation(), method.Name, reason));
            return null;
        }

        var attribute = context.Attributes[0];
        string? derivativeName = DeclarationSymbols.NamedArgument<string?>(attribute, "Derivative", null);
        string? targetDerivativeName = DeclarationSymbols.NamedArgument<string?>(attribute, "TargetDerivative", null);
        string? optionCheck = DeclarationSymbols.NamedArgument<string?>(attribute, "CheckOptions", null);
        bool weighted = DeclarationSymbols.NamedArgument(attribute, "Weighted", false);
        bool unitInterval = DeclarationSymbols.NamedArgument(attribute, "InputInUnitInterval", false);
        var target = (TargetRole)DeclarationSymbols.NamedArgument(attribute, "Target", 0);
        if (target != TargetRole.Differentiable && targetDerivativeName is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadExplicitDerivative, syntax.AttributeLists.FirstOrDefault()?.GetLocation() ?? syntax.Identifier.GetLocation(), targetDerivativeName, method.Name, $"a target declared LossTarget.{target} has no gradient to declare"));
            return null;
        }

        int inputs = kind == ElementwiseKind.Loss ? DeclarationSymbols.NamedArgument(attribute, "Inputs", 1) : 1;
        var attributeLocation = syntax.AttributeLists.FirstOrDefault()?.GetLocation() ?? syntax.Identifier.GetLocation();
        if (inputs is < 1 or > MaxInputs)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, attributeLocation, $"Inputs = {inputs}", method.Name, $"a loss has 1 to {MaxInputs} differentiable inputs"));
            return null;
        }

        if (inputs > 1 && (derivativeName is not null || weighted || unitInterval))
        {
            string what = derivativeName is not null ? "Derivative" : weighted ? "Weighted" : "InputInUnitInterval";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, attributeLocation, what, method.Name, "a loss of several inputs has each gradient derived, and takes scalar options and flags only"));
            return null;
        }

        var parameters = ClassifyParameters(method, kind, inputs, diagnostics);
        if (parameters is null)
        {
            return null;
        }

        if (inputs > 1 && parameters.Any(p => p.Role == ParameterRole.PerElement))
        {
            var perElement = parameters.First(p => p.Role == ParameterRole.PerElement);
            var location = method.Parameters.First(p => p.Name == perElement.Name).Locations.FirstOrDefault() ?? attributeLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, perElement.Name, method.Name, "a loss of several inputs takes scalar options and flags only"));
            return null;
        }

        if (optionCheck is not null && !IsValidOptionCheck(type, method, optionCheck, parameters, syntax, diagnostics))
        {
            return null;
        }

        var names = new HashSet<string>(parameters.Select(p => p.Name));
        var model = context.SemanticModel;
        var parser = new FormulaParser(model, names, diagnostics);
        var formula = parser.Parse(syntax.ExpressionBody.Expression);
        if (formula is null)
        {
            return null;
        }

        if (parser.FirstRowSum is { } rowSum)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotDifferentiate, rowSum.GetLocation(), rowSum.ToString(), "Row.Sum reduces over a row, which only a [RowwiseLoss] declaration has"));
            return null;
        }

        formula = Simplifier.Simplify(formula);
        if (!DeclarationSymbols.NamedArgument(attribute, "AllowUnclampedLog", false))
        {
            ReportUnclampedLogarithms(formula, syntax.ExpressionBody.Expression, diagnostics);
        }

        string inputName = parameters[0].Name;
        Expr derivative;
        bool declared = derivativeName is not null;
        bool scalarOnly = parser.UsesScalarOnlyFunction;
        if (declared)
        {
            var explicitDerivative = ParseDeclaredDerivative(type, method, derivativeName!, names, model.Compilation, syntax, diagnostics, out bool derivativeScalarOnly, cancellationToken);
            if (explicitDerivative is null)
            {
                return null;
            }

            derivative = explicitDerivative;
            scalarOnly |= derivativeScalarOnly;
        }
        else
        {
            derivative = Differentiator.Derive(formula, inputName);
        }

        // Losses also have a gradient with respect to the target, which torch computes for float targets.
        Expr targetDerivative = new Constant(0);
        if (targetDerivativeName is not null)
        {
            var explicitTargetDerivative = ParseDeclaredDerivative(type, method, targetDerivativeName, names, model.Compilation, syntax, diagnostics, out bool targetScalarOnly, cancellationToken);
            if (explicitTargetDerivative is null)
            {
                return null;
            }

            targetDerivative = explicitTargetDerivative;
            scalarOnly |= targetScalarOnly;
        }
        else if (kind == ElementwiseKind.Loss && target == TargetRole.Differentiable)
        {
            targetDerivative = Differentiator.Derive(formula, parameters[inputs].Name);
        }

        // Each further input's gradient is derived as the first's.
        var inputDerivatives = new List<Expr> { derivative };
        for (int k = 1; k < inputs; k++)
        {
            inputDerivatives.Add(Differentiator.Derive(formula, parameters[k].Name));
        }

        if (weighted)
        {
            // The runtime owns weights: an optional per-element weight multiplies each term and its gradients.
            var weight = new Variable("weight");
            formula = new Binary(BinaryOperator.Multiply, weight, formula);
            derivative = new Binary(BinaryOperator.Multiply, weight, derivative);
            targetDerivative = Simplifier.Simplify(new Binary(BinaryOperator.Multiply, weight, targetDerivative));
            parameters.Insert(kind == ElementwiseKind.Loss ? 2 : 1, new FormulaParameter("weight", ParameterRole.PerElement, "default", 1));
        }

        if (scalarOnly)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ScalarFallback, parser.FirstScalarOnlyCall?.GetLocation() ?? syntax.Identifier.GetLocation(), parser.FirstScalarOnlyCall?.ToString() ?? derivativeName ?? method.Name, type.Name));
        }

        // An activation whose derivative is a function of its own value (sigmoid, tanh) backpropagates from the output.
        Expr? outputDerivative = null;
        if (kind == ElementwiseKind.Activation && !declared)
        {
            Expr candidate = Simplifier.ReplaceExpression(derivative, formula, new Variable("output"));
            outputDerivative = Simplifier.Uses(candidate, inputName) ? null : candidate;
        }

        string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
        return new ElementwiseSpec(
            ns,
            type.Name,
            SyntaxFacts.GetText(type.DeclaredAccessibility),
            method.Name,
            kind,
            new EquatableArray<FormulaParameter>(parameters.ToImmutableArray()),
            formula,
            derivative,
            declared,
            targetDerivative,
            targetDerivativeName is not null,
            outputDerivative,
            optionCheck,
            OneLine(syntax.ExpressionBody.Expression.ToString()),
            unitInterval,
            !scalarOnly,
            target,
            new EquatableArray<Expr>(inputDerivatives.ToImmutableArray()));
    }

    private static List<FormulaParameter>? ClassifyParameters(IMethodSymbol method, ElementwiseKind kind, int inputs, List<DiagnosticInfo> diagnostics)
    {
        int positional = kind == ElementwiseKind.Loss ? inputs + 1 : 1;
        if (method.Parameters.Length < positional)
        {
            string expected = kind == ElementwiseKind.Loss ? "an input and a target" : "an input";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAnExpressionBodiedFormula, method.Locations[0], method.Name, $"it needs at least {expected} parameter"));
            return null;
        }

        var parameters = new List<FormulaParameter>();
        bool ok = true;
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var location = parameter.Locations.FirstOrDefault() ?? method.Locations[0];
            bool perElement = parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "FastLoss.Generation.PerElementAttribute");
            bool flag = parameter.Type.SpecialType == SpecialType.System_Boolean && parameter.RefKind == RefKind.None;
            if (flag && (i < positional || perElement || kind == ElementwiseKind.Activation))
            {
                string reason = i < positional ? "the input and target are float values"
                    : perElement ? "a flag is one choice for the whole call, not one per element"
                    : "activations take float options only";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, reason));
                ok = false;
                continue;
            }

            if (flag)
            {
                if (ReservedNames.Contains(parameter.Name) || parameter.Name == "weight")
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "the name is used by the generated code; rename the parameter"));
                    ok = false;
                    continue;
                }

                if (!parameter.HasExplicitDefaultValue)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "a flag needs a default value, torch's default for the option"));
                    ok = false;
                    continue;
                }

                bool isSet = parameter.ExplicitDefaultValue is true;
                parameters.Add(new FormulaParameter(parameter.Name, ParameterRole.Flag, isSet ? "true" : "false", isSet ? 1 : 0));
                continue;
            }

            if (parameter.Type.SpecialType != SpecialType.System_Single || parameter.RefKind != RefKind.None)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "formula parameters are plain float values, or bool flags"));
                ok = false;
                continue;
            }

            // A loss of several inputs names its input spans after its parameters (gaussian_nll_loss' input and var).
            bool namesAnInputSpan = inputs > 1 && i < inputs && parameter.Name == "input";
            if ((ReservedNames.Contains(parameter.Name) && !namesAnInputSpan) || (parameter.Name == "weight" && i >= positional))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "the name is used by the generated code; rename the parameter"));
                ok = false;
                continue;
            }

            if (i < positional)
            {
                if (perElement)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "the input and target are per-element already"));
                    ok = false;
                    continue;
                }

                bool nonNegative = parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "FastLoss.Generation.NonNegativeAttribute");
                parameters.Add(new FormulaParameter(parameter.Name, i < positional - 1 || kind == ElementwiseKind.Activation ? ParameterRole.Input : ParameterRole.Target, null, null, nonNegative));
                continue;
            }

            if (perElement && kind == ElementwiseKind.Activation)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "activations take scalar options only"));
                ok = false;
                continue;
            }

            string? defaultText = null;
            double? defaultValue = null;
            if (parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is float value)
            {
                defaultValue = value;
                defaultText = value.ToString("R", CultureInfo.InvariantCulture) + "f";
            }
            else if (perElement)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "a per-element parameter needs a default value, used where the span is absent"));
                ok = false;
                continue;
            }

            parameters.Add(new FormulaParameter(parameter.Name, perElement ? ParameterRole.PerElement : ParameterRole.Scalar, defaultText, defaultValue));
        }

        return ok ? parameters : null;
    }

    private static Expr? ParseDeclaredDerivative(
        INamedTypeSymbol type,
        IMethodSymbol method,
        string derivativeName,
        HashSet<string> names,
        Compilation compilation,
        MethodDeclarationSyntax formulaSyntax,
        List<DiagnosticInfo> diagnostics,
        out bool scalarOnly,
        CancellationToken cancellationToken)
    {
        scalarOnly = false;
        var location = formulaSyntax.AttributeLists.FirstOrDefault()?.GetLocation() ?? formulaSyntax.Identifier.GetLocation();
        var candidate = type.GetMembers(derivativeName).OfType<IMethodSymbol>().FirstOrDefault();
        if (candidate is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadExplicitDerivative, location, derivativeName, method.Name, $"no method of that name in {type.Name}"));
            return null;
        }

        bool sameParameters = candidate.Parameters.Length == method.Parameters.Length
            && candidate.Parameters.Select(p => p.Name).SequenceEqual(method.Parameters.Select(p => p.Name))
            && candidate.Parameters.Zip(method.Parameters, (c, m) => c.Type.SpecialType == m.Type.SpecialType).All(same => same);
        var candidateSyntax = candidate.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as MethodDeclarationSyntax;
        if (!sameParameters || !candidate.IsStatic || candidate.ReturnType.SpecialType != SpecialType.System_Single || candidateSyntax?.ExpressionBody is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadExplicitDerivative, candidate.Locations[0], derivativeName, method.Name, "it must be an expression-bodied static float method with the formula's parameters, in the same order and with the same names"));
            return null;
        }

        var parser = new FormulaParser(compilation.GetSemanticModel(candidateSyntax.SyntaxTree), names, diagnostics);
        var derivative = parser.Parse(candidateSyntax.ExpressionBody.Expression);
        scalarOnly = parser.UsesScalarOnlyFunction;
        return derivative is null ? null : Simplifier.Simplify(derivative);
    }

    /// <summary>FL1006: the option check must be a static void method of the scalar options, by name and order.</summary>
    private static bool IsValidOptionCheck(
        INamedTypeSymbol type, IMethodSymbol method, string name, List<FormulaParameter> parameters, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
    {
        var location = syntax.AttributeLists.FirstOrDefault()?.GetLocation() ?? syntax.Identifier.GetLocation();
        var candidate = type.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault();
        if (candidate is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOptionCheck, location, name, method.Name, $"no method of that name in {type.Name}"));
            return false;
        }

        var scalars = parameters.Where(p => p.Role == ParameterRole.Scalar).Select(p => p.Name).ToList();
        bool matches = candidate.IsStatic && candidate.ReturnsVoid
            && candidate.Parameters.Select(p => p.Name).SequenceEqual(scalars)
            && candidate.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Single);
        if (!matches)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.BadOptionCheck, candidate.Locations[0], name, method.Name,
                $"it must be a static void method taking the scalar options ({string.Join(", ", scalars.Select(s => "float " + s))}), in that order"));
            return false;
        }

        return true;
    }

    /// <summary>A formula written over several lines, as one line for the generated file's header comment.</summary>
    private static string OneLine(string text) => string.Join(" ", text.Split(LineBreaks, System.StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim()));

    private static readonly char[] LineBreaks = { '\r', '\n' };

    /// <summary>FL3001: a bare Log(u) is -inf at u = 0; torch clamps it at -100 (BCELoss).</summary>
    private static void ReportUnclampedLogarithms(Expr formula, ExpressionSyntax syntax, List<DiagnosticInfo> diagnostics)
    {
        if (!HasBareLog(formula, clamped: false))
        {
            return;
        }

        var logCall = syntax.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()
            .FirstOrDefault(call => call.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Log" });
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnclampedLogarithm, (logCall ?? (SyntaxNode)syntax).GetLocation(), logCall?.ToString() ?? "Log"));
    }

    private static bool HasBareLog(Expr e, bool clamped) => e switch
    {
        Call { Function: Function.Log } log => !clamped || HasBareLog(log.First, false),
        Call { Function: Function.Max } max when max.Second is Constant =>
            HasBareLog(max.First, true),
        Call { Function: Function.Max } max when max.First is Constant =>
            HasBareLog(max.Second!, true),
        Call c => HasBareLog(c.First, false) || (c.Second is not null && HasBareLog(c.Second, false)),
        Unary u => HasBareLog(u.Operand, false),
        Binary b => HasBareLog(b.Left, false) || HasBareLog(b.Right, false),
        Conditional k => HasBareLog(k.Condition, false) || HasBareLog(k.WhenTrue, false) || HasBareLog(k.WhenFalse, false),
        _ => false,
    };
}
